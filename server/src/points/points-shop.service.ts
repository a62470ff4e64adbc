import type { CouponView, PointsShopEntry } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { ClaimService } from '../coupons/claim.service';
import { CouponTemplate } from '../coupons/coupon-template.entity';
import { Member } from '../members/member.entity';
import { PointsLedger } from './points-ledger';

/**
 * The points shop: coupon templates with a points price. An exchange is a claim (same stock, limit and
 * idempotency rules) whose transaction also debits the points, so a member never pays without a coupon or
 * gets a coupon without paying; a retried tap returns the same coupon and charges once.
 */
@Injectable()
export class PointsShopService {
  private readonly logger = new Logger(PointsShopService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly claims: ClaimService,
    private readonly ledger: PointsLedger,
  ) {}

  async entries(memberId: number): Promise<PointsShopEntry[]> {
    const member = await this.dataSource.getRepository(Member).findOneBy({ id: memberId });
    return this.claims.pointsShop(memberId, member?.pointsBalance ?? 0);
  }

  async exchange(memberId: number, templateId: number, idempotencyKey: string): Promise<CouponView> {
    const template = await this.dataSource.getRepository(CouponTemplate).findOneBy({ id: templateId });
    if (!template || template.pointsPrice === null) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
    const price = template.pointsPrice;
    const coupon = await this.claims.claim(memberId, templateId, idempotencyKey, {
      within: async (em, couponId, now) => {
        await this.ledger.debit(em, { memberId, points: price, reason: 'exchange', sourceKey: `exchange:coupon:${couponId}`, now });
      },
    });
    this.logger.log({ memberId, templateId, couponId: coupon.id, points: price }, 'points exchanged for a coupon');
    return coupon;
  }
}
