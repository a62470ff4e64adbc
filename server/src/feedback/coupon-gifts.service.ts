import { GoodwillKind, type GiveCouponView } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { couponsRepository } from '../coupons/coupons.repository';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { GoodwillGrant } from './feedback.entities';
import { GoodwillService } from './goodwill.service';

export interface CouponGift {
  memberId: number;
  templateId: number;
  reason: string;
  idempotencyKey: string;
}

/**
 * A coupon HQ or a store manager gives a member from the console (赠送优惠券), outside any feedback case: the
 * same goodwill grant a resolution makes (the role's face-value limit, the one CouponIssuer, stock by its
 * conditional UPDATE, 优惠券到账 after commit), with no case. Once per (staff, idempotency key): the grant's
 * unique key makes a retry, even two at once, answer the coupon the first one gave.
 */
@Injectable()
export class CouponGiftsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly goodwill: GoodwillService,
  ) {}

  async give(staff: StaffAccount, gift: CouponGift): Promise<GiveCouponView> {
    const replay = await this.replay(staff, gift);
    if (replay) return replay;
    const now = this.clock.now();
    try {
      const notice = await this.transactions.run((em) =>
        this.goodwill.grant(em, staff, {
          caseId: null,
          memberId: gift.memberId,
          ask: { kind: 'coupon', templateId: gift.templateId, reason: gift.reason },
          idempotencyKey: gift.idempotencyKey,
          now,
        }),
      );
      await this.goodwill.notify(notice);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const made = await this.replay(staff, gift);
    if (!made) throw new Error('coupon gift neither made nor found');
    return made;
  }

  /** The gift this request already made; the same key for another gift is IDEMPOTENCY_KEY_REUSED. */
  private async replay(staff: StaffAccount, gift: CouponGift): Promise<GiveCouponView | null> {
    const grant = await this.dataSource.getRepository(GoodwillGrant).findOneBy({ staffId: staff.id, idempotencyKey: gift.idempotencyKey });
    if (!grant) return null;
    if (
      grant.kind !== GoodwillKind.Coupon ||
      grant.caseId !== null ||
      grant.memberId !== gift.memberId ||
      grant.templateId !== gift.templateId
    )
      throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    const template = await couponsRepository.findTemplate(this.dataSource.manager, gift.templateId);
    return {
      grantId: grant.id,
      memberId: grant.memberId,
      couponId: grant.couponId!,
      templateId: gift.templateId,
      couponName: template?.name ?? '',
      faceFen: grant.faceFen,
      at: grant.createdAt.toISOString(),
    };
  }
}
