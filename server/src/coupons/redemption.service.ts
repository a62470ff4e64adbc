import type { AppConfig } from '@member/config';
import {
  computeCouponDiscount,
  errorMessage,
  type CouponPreview,
  type ErrorCode,
  type RedeemCouponRequest,
  type RedemptionView,
  type ReverseRedemptionResponse,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { requestHash } from '../common/request-hash';
import { Clock } from '../common/clock';
import { DomainEvents } from '../events/domain-event-bus';
import { CouponRedeemed, CouponRedemptionReversed } from '../events/domain-events';
import { DomainError } from '../common/domain-error';
import type { StaffAccount } from '../auth/staff.service';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { CouponRedemption, RedemptionOwner, RedemptionStatus } from './coupon-redemption.entity';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { validityState } from './coupon-rules';
import { termsOf, toCouponView } from './coupon.views';

/**
 * Redemption at the till (核销) and its undo. A coupon is redeemed by a conditional UPDATE
 * (`status = 'available'` and still valid): of any number of simultaneous attempts exactly one changes the
 * row, the rest see COUPON_ALREADY_REDEEMED. Reversing is the same in the other direction.
 */
@Injectable()
export class RedemptionService {
  private readonly logger = new Logger(RedemptionService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  /** What the coupon gives on this order, or why it does not apply; changes nothing. */
  async preview(request: RedeemCouponRequest): Promise<CouponPreview> {
    const { coupon, template } = await this.findByCode(request.code);
    const now = this.clock.now();
    const view = toCouponView(coupon, template, now, this.config.businessCalendar.timeZone);
    const blocked = this.blockReason(coupon, request.memberId, now);
    const discount = computeCouponDiscount(termsOf(template), request.orderAmountFen);
    const reason: ErrorCode | null = blocked ?? (discount.applicable ? null : discount.reason);
    return {
      coupon: view,
      memberId: coupon.memberId,
      applicable: reason === null,
      reason,
      reasonText: reason ? errorMessage(reason) : null,
      discountFen: reason ? 0 : discount.discountFen,
      payableFen: reason ? request.orderAmountFen : discount.payableFen,
      giftName: reason ? null : discount.giftName,
    };
  }

  /** `storeCode`: where it happens, taken from the clerk's account by the controller (null: an admin naming none). */
  async redeem(request: RedeemCouponRequest, staffOpenid: string, storeCode: string | null = null): Promise<RedemptionView> {
    const hash = redeemHash(request);
    if (request.idempotencyKey) {
      const earlier = await this.byKey(staffOpenid, request.idempotencyKey);
      if (earlier) return this.replay(earlier, request.code, hash);
    }
    const now = this.clock.now();
    let previewed: CouponPreview | null = null;
    let redemptionId: number;
    try {
      const preview = await this.preview(request);
      previewed = preview;
      if (!preview.applicable) throw new DomainError(preview.reason as ErrorCode);
      redemptionId = await this.transactions.run((em) =>
        this.redeemWithin(em, preview, request, staffOpenid, now, { requestHash: hash, storeCode }),
      );
    } catch (error) {
      // The same request retried while the first was under way: its checks fail (the coupon is taken) or its
      // insert hits the key, because the first committed. Every retry answers what the first one did.
      if (request.idempotencyKey && (error instanceof DomainError || isUniqueViolation(error))) {
        const earlier = await this.byKey(staffOpenid, request.idempotencyKey);
        if (earlier) return this.replay(earlier, request.code, hash);
      }
      if (previewed?.applicable && error instanceof DomainError && error.code === 'COUPON_ALREADY_REDEEMED')
        throw new DomainError(await this.whyNotRedeemable(previewed.coupon.id));
      throw error;
    }
    const preview = previewed as CouponPreview; // set before the redemption could succeed
    this.logger.log({ couponId: preview.coupon.id, redemptionId, memberId: preview.memberId }, 'coupon redeemed');
    const { coupon, template } = await this.findByCode(request.code);
    return {
      ...preview,
      coupon: toCouponView(coupon, template, now, this.config.businessCalendar.timeZone),
      redemptionId,
      redeemedAt: now.toISOString(),
    };
  }

  /**
   * The clerk undoes a standalone redemption (the customer returns the goods). A redemption made for an app
   * order or a till purchase is refused: the sale keeps its discount, so only its refund, cancel or expiry
   * may give the coupon back. Reversing twice is refused.
   *
   * `staff`, the account asking (the staff route always passes it): a clerk or store manager reverses only
   * their own store's redemptions (STORE_NOT_YOURS, as for sales), and one whose store is unknown (NULL: made
   * before redemptions recorded it) only an admin may reverse. Left out only by code acting for the business.
   */
  async reverse(redemptionId: number, staff?: Pick<StaffAccount, 'role' | 'stores'>): Promise<ReverseRedemptionResponse> {
    const redemption = await this.dataSource.getRepository(CouponRedemption).findOneBy({ id: redemptionId });
    if (!redemption) throw new DomainError('REDEMPTION_NOT_FOUND');
    // The store never changes once written, so checking it before the conditional UPDATE is not a race.
    if (staff && staff.role !== 'admin' && (redemption.storeCode === null || !staff.stores.includes(redemption.storeCode)))
      throw new DomainError('STORE_NOT_YOURS');
    if (redemption.ownerKind !== null) throw new DomainError('REDEMPTION_OWNED_BY_SALE');
    const now = this.clock.now();
    await this.transactions.run((em) => this.reverseWithin(em, redemption, now, { standalone: true }));
    const coupon = await this.dataSource.getRepository(Coupon).findOneByOrFail({ id: redemption.couponId });
    const template = await this.dataSource.getRepository(CouponTemplate).findOneByOrFail({ id: coupon.templateId });
    this.logger.log({ couponId: coupon.id, redemptionId, restored: coupon.status === 'available' }, 'redemption reversed');
    return { coupon: toCouponView(coupon, template, now, this.config.businessCalendar.timeZone), restored: coupon.status === 'available' };
  }

  /**
   * Redeems inside the caller's transaction (a purchase recorded at the till redeems its coupon in the same
   * transaction as its points). A conditional UPDATE: of simultaneous attempts exactly one changes the row.
   */
  async redeemWithin(
    em: EntityManager,
    preview: CouponPreview,
    request: Pick<RedeemCouponRequest, 'orderAmountFen' | 'idempotencyKey'>,
    staffOpenid: string,
    now: Date,
    options: { owner?: RedemptionOwner; requestHash?: string; storeCode?: string | null } = {},
  ): Promise<number> {
    const changed = await em
      .createQueryBuilder()
      .update(Coupon)
      .set({ status: 'redeemed', redeemedAt: now })
      .where("id = :id AND status = 'available' AND valid_from <= :now AND valid_until >= :second", {
        id: preview.coupon.id,
        now,
        second: new Date(Math.floor(now.getTime() / 1000) * 1000),
      })
      .execute();
    if (changed.affected !== 1) throw new DomainError('COUPON_ALREADY_REDEEMED');
    const inserted = await em.insert(CouponRedemption, {
      couponId: preview.coupon.id,
      memberId: preview.memberId,
      staffOpenid,
      idempotencyKey: request.idempotencyKey ?? null,
      requestHash: options.requestHash ?? null,
      ownerKind: options.owner ?? null,
      storeCode: options.storeCode ?? null,
      orderAmountFen: request.orderAmountFen,
      discountFen: preview.discountFen,
      payableFen: preview.payableFen,
      status: RedemptionStatus.Redeemed,
      redeemedAt: now,
    });
    await em
      .createQueryBuilder()
      .update(CouponTemplate)
      .set({ redeemedCount: () => 'redeemed_count + 1' })
      .where('id = :id', { id: preview.coupon.templateId })
      .execute();
    const redemptionId = inserted.identifiers[0].id as number;
    await this.events.publish(
      em,
      new CouponRedeemed(redemptionId, preview.coupon.id, preview.memberId, request.orderAmountFen, preview.discountFen, now),
    );
    return redemptionId;
  }

  /**
   * Reverses inside the caller's transaction; answers whether the coupon is usable again. The owning sale's
   * refund, cancel or expiry calls it as is; `standalone` (the clerk's reverse) only matches a redemption no sale
   * holds, in the same conditional UPDATE.
   */
  async reverseWithin(
    em: EntityManager,
    redemption: Pick<CouponRedemption, 'id' | 'couponId'>,
    now: Date,
    options: { standalone?: boolean } = {},
  ): Promise<boolean> {
    const second = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const changed = await em
      .createQueryBuilder()
      .update(CouponRedemption)
      .set({ status: RedemptionStatus.Reversed, reversedAt: now })
      .where(`id = :id AND status = :redeemed${options.standalone ? ' AND owner_kind IS NULL' : ''}`, {
        id: redemption.id,
        redeemed: RedemptionStatus.Redeemed,
      })
      .execute();
    if (changed.affected !== 1) {
      const current = await em.findOneByOrFail(CouponRedemption, { id: redemption.id });
      throw new DomainError(
        current.status === RedemptionStatus.Redeemed && current.ownerKind !== null
          ? 'REDEMPTION_OWNED_BY_SALE'
          : 'REDEMPTION_ALREADY_REVERSED',
      );
    }
    await em
      .createQueryBuilder()
      .update(Coupon)
      .set({ status: () => `CASE WHEN valid_until >= :second THEN 'available' ELSE 'expired' END`, redeemedAt: null })
      .where("id = :id AND status = 'redeemed'", { id: redemption.couponId })
      .setParameter('second', second)
      .execute();
    const coupon = await em.findOneByOrFail(Coupon, { id: redemption.couponId });
    await em
      .createQueryBuilder()
      .update(CouponTemplate)
      .set({ redeemedCount: () => 'redeemed_count - 1' })
      .where('id = :id AND redeemed_count > 0', { id: coupon.templateId })
      .execute();
    await this.events.publish(em, new CouponRedemptionReversed(redemption.id, redemption.couponId, coupon.status === 'available', now));
    return coupon.status === 'available';
  }

  private async findByCode(code: string): Promise<{ coupon: Coupon; template: CouponTemplate }> {
    const coupon = await this.dataSource.getRepository(Coupon).findOneBy({ code: code.replace(/[\s-]/g, '') });
    if (!coupon) throw new DomainError('COUPON_NOT_FOUND');
    const template = await this.dataSource.getRepository(CouponTemplate).findOneByOrFail({ id: coupon.templateId });
    return { coupon, template };
  }

  private blockReason(coupon: Coupon, memberId: number | undefined, now: Date): ErrorCode | null {
    if (memberId !== undefined && coupon.memberId !== memberId) return 'COUPON_OTHER_MEMBER';
    if (coupon.status === 'redeemed') return 'COUPON_ALREADY_REDEEMED';
    if (coupon.status === 'expired') return 'COUPON_EXPIRED';
    const state = validityState(now, coupon.validFrom, coupon.validUntil);
    if (state === 'expired') return 'COUPON_EXPIRED';
    if (state === 'not_yet_valid') return 'COUPON_NOT_YET_VALID';
    return null;
  }

  private async whyNotRedeemable(couponId: number): Promise<ErrorCode> {
    const coupon = await this.dataSource.getRepository(Coupon).findOneByOrFail({ id: couponId });
    return this.blockReason(coupon, undefined, this.clock.now()) ?? 'COUPON_ALREADY_REDEEMED';
  }

  private byKey(staffOpenid: string, idempotencyKey: string): Promise<CouponRedemption | null> {
    return this.dataSource.getRepository(CouponRedemption).findOneBy({ staffOpenid, idempotencyKey });
  }

  /** The first redemption under this key, answered again; refused when the key was used for another request. */
  private async replay(redemption: CouponRedemption, code: string, hash: string): Promise<RedemptionView> {
    // A sale's own redemption (its key is derived from the sale's) is never the answer to a standalone request.
    if (redemption.ownerKind !== null || (redemption.requestHash !== null && redemption.requestHash !== hash))
      throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    const { coupon, template } = await this.findByCode(code);
    if (coupon.id !== redemption.couponId) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return {
      coupon: toCouponView(coupon, template, this.clock.now(), this.config.businessCalendar.timeZone),
      memberId: redemption.memberId,
      applicable: true,
      reason: null,
      reasonText: null,
      discountFen: redemption.discountFen,
      payableFen: redemption.payableFen,
      giftName: template.giftName,
      redemptionId: redemption.id,
      redeemedAt: redemption.redeemedAt.toISOString(),
    };
  }
}

/** A standalone redemption's payload: the coupon (as the clerk typed it, normalised), the order amount, the member. */
function redeemHash(request: RedeemCouponRequest): string {
  return requestHash({
    code: request.code.replace(/[\s-]/g, ''),
    orderAmountFen: request.orderAmountFen,
    memberId: request.memberId ?? null,
  });
}
