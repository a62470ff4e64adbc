import type { AppConfig } from '@member/config';
import type { CouponView, PointsShopEntry } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { newCouponCode } from '../coupons/claim-combiner';
import { ClaimService } from '../coupons/claim.service';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { claimBlockReason, couponValidity } from '../coupons/coupon-rules';
import { couponsRepository, type CouponRecord } from '../coupons/coupons.repository';
import { audienceTiersOf, toCouponView, validityOf } from '../coupons/coupon.views';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { membersRepository, type MemberRecord } from '../members/members.repository';
import { PointsLedger } from './points-ledger';

/** How often an exchange is judged again after losing a race on its (template, member, seq) key. */
const MAX_EXCHANGE_ATTEMPTS = 5;

/**
 * The points shop: coupon templates with a points price. An exchange is judged by the claim rules (window,
 * audience, per-member limit, stock) and issued by the one CouponIssuer in one transaction with the points
 * debit, so a member never pays without a coupon or gets a coupon without paying; a retried tap returns the
 * same coupon (the coupon's unique member × idempotency key) and charges once.
 */
@Injectable()
export class PointsShopService {
  private readonly logger = new Logger(PointsShopService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly claims: ClaimService,
    private readonly issuer: CouponIssuer,
    private readonly ledger: PointsLedger,
  ) {}

  async entries(memberId: number): Promise<PointsShopEntry[]> {
    const member = await membersRepository.find(this.dataSource.manager, memberId);
    return this.claims.pointsShop(memberId, member?.pointsBalance ?? 0);
  }

  async exchange(memberId: number, templateId: number, idempotencyKey: string): Promise<CouponView> {
    const timeZone = this.config.businessCalendar.timeZone;
    for (let attempt = 1; attempt <= MAX_EXCHANGE_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      const template = await couponsRepository.findTemplate(this.dataSource.manager, templateId);
      if (!template || template.pointsPrice === null) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
      const price = template.pointsPrice;
      const claimant = await this.claimant(memberId, templateId, idempotencyKey);
      if (claimant.replay) {
        if (claimant.replay.templateId !== templateId) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
        return toCouponView(claimant.replay, template, now, timeZone);
      }
      const situation = {
        now,
        template: { ...template, audienceTiers: audienceTiersOf(template) },
        member: claimant.member,
        claimedByMe: claimant.claimedByMe,
        config: this.config,
      };
      const blocked = claimBlockReason(situation);
      if (blocked) throw new DomainError(blocked);
      const { validFrom, validUntil } = couponValidity(validityOf(template), now, timeZone);
      const fresh = {
        templateId,
        memberId,
        seq: claimant.claimedByMe + 1,
        code: newCouponCode(),
        validFrom,
        validUntil,
        idempotencyKey,
        claimedAt: now,
      };
      try {
        const id = await this.transactions.run(async (em) => {
          // Coupon row first, stock last: the template row is locked only from its UPDATE to the COMMIT.
          const couponId = await this.issuer.issueOne(em, fresh);
          if (!(await this.issuer.takeStock(em, templateId, 1))) throw new DomainError('COUPON_OUT_OF_STOCK');
          await this.ledger.debit(em, { memberId, points: price, reason: 'exchange', sourceKey: `exchange:coupon:${couponId}`, now });
          return couponId;
        });
        this.logger.log({ memberId, templateId, couponId: id, points: price }, 'points exchanged for a coupon');
        const coupon: CouponRecord = { ...fresh, id, status: 'available', redeemedAt: null, createdAt: now, updatedAt: now };
        return toCouponView(coupon, template, now, timeZone);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'COUPON_OUT_OF_STOCK') {
          // The SQL check refused: sold out, or paused meanwhile. Say which, from the row as it is now.
          const current = await couponsRepository.findTemplate(this.dataSource.manager, templateId);
          if (!current) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
          throw new DomainError(
            claimBlockReason({ ...situation, template: { ...current, audienceTiers: audienceTiersOf(current) } }) ?? 'COUPON_OUT_OF_STOCK',
          );
        }
        // Lost a race: the same tap retried (idempotency key), or another tap took this seq. Judge again.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new DomainError('COUPON_LIMIT_REACHED');
  }

  /** Who is exchanging, how many of this template they hold, and the coupon this tap already got (each from its owner). */
  private async claimant(
    memberId: number,
    templateId: number,
    idempotencyKey: string,
  ): Promise<{ member: Pick<MemberRecord, 'joinedAt' | 'tier'>; claimedByMe: number; replay: CouponRecord | null }> {
    const em = this.dataSource.manager;
    const [member, claimedByMe, replay] = await Promise.all([
      membersRepository.find(em, memberId),
      couponsRepository.countMemberCoupons(em, memberId, templateId),
      couponsRepository.findCouponByKey(em, memberId, idempotencyKey),
    ]);
    if (!member) throw new DomainError('MEMBER_NOT_FOUND');
    return { member, claimedByMe, replay };
  }
}
