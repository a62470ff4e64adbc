import { And, In, LessThan, MoreThanOrEqual, type EntityManager } from 'typeorm';
import { isMysql } from '../database/dialect';
import { CouponRedemption, RedemptionStatus } from './coupon-redemption.entity';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';

/** Ids per IN list: SQLite builds may stop at 999 placeholders a statement. */
const IDS_PER_STATEMENT = 500;

/** What other modules read of coupons: the entities' fields, never the classes (coupons owns its tables). */
export type CouponRecord = Readonly<Coupon>;
export type CouponTemplateRecord = Readonly<CouponTemplate>;
export type CouponRedemptionRecord = Readonly<CouponRedemption>;
/** The kind of sale that holds a redemption, for the sale modules that redeem (RedemptionService.redeemWithin). */
export { RedemptionOwner } from './coupon-redemption.entity';

async function byIds<T extends { id: number }>(
  em: EntityManager,
  entity: new () => T,
  ids: readonly number[],
): Promise<Map<number, Readonly<T>>> {
  const found = new Map<number, Readonly<T>>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeORM cannot type a generic id filter
    for (const row of await em.findBy(entity, { id: In(unique.slice(i, i + IDS_PER_STATEMENT)) } as any)) found.set(row.id, row);
  }
  return found;
}

/**
 * Reads of the coupon tables for other modules, on the caller's `em`. Writes stay behind the coupons services
 * (CouponIssuer issues and takes stock; RedemptionService redeems and reverses), so this file only reads.
 */
export const couponsRepository = {
  findTemplate(em: EntityManager, templateId: number): Promise<CouponTemplateRecord | null> {
    return em.findOneBy(CouponTemplate, { id: templateId });
  },

  /**
   * The template as it is now, its row locked to the caller's commit (FOR UPDATE on MySQL; SQLite has one writer):
   * what a gift or a reward coupon is issued with. A plain read answers from the transaction's snapshot, which can
   * predate an edit made while the template was not live; locked, an edit either landed before (and is read) or
   * waits, then finds the coupon given and is refused.
   */
  lockTemplate(em: EntityManager, templateId: number): Promise<CouponTemplateRecord | null> {
    const query = em.createQueryBuilder(CouponTemplate, 't').where('t.id = :id', { id: templateId });
    return (isMysql(em) ? query.setLock('pessimistic_write') : query).getOne();
  },

  templateExists(em: EntityManager, templateId: number): Promise<boolean> {
    return em.existsBy(CouponTemplate, { id: templateId });
  },

  findTemplates(em: EntityManager, templateIds: readonly number[]): Promise<Map<number, CouponTemplateRecord>> {
    return byIds(em, CouponTemplate, templateIds);
  },

  findCoupon(em: EntityManager, couponId: number): Promise<CouponRecord | null> {
    return em.findOneBy(Coupon, { id: couponId });
  },

  findCoupons(em: EntityManager, couponIds: readonly number[]): Promise<Map<number, CouponRecord>> {
    return byIds(em, Coupon, couponIds);
  },

  /** The coupon a member's request with this idempotency key made, if any. */
  findCouponByKey(em: EntityManager, memberId: number, idempotencyKey: string): Promise<CouponRecord | null> {
    return em.findOneBy(Coupon, { memberId, idempotencyKey });
  },

  /** How many coupons of this template the member holds, whatever their status (the per-member limit counts them all). */
  countMemberCoupons(em: EntityManager, memberId: number, templateId: number): Promise<number> {
    return em.countBy(Coupon, { memberId, templateId });
  },

  /** Redemptions made in [from, until) at these stores (null: anywhere) and not reversed: the till's day summary. */
  countRedemptionsBetween(em: EntityManager, stores: readonly string[] | null, from: Date, until: Date): Promise<number> {
    return em.countBy(CouponRedemption, {
      status: RedemptionStatus.Redeemed,
      redeemedAt: And(MoreThanOrEqual(from), LessThan(until)),
      ...(stores ? { storeCode: In([...stores]) } : {}),
    });
  },

  /** The discount of each coupon's standing (not reversed) redemption, by coupon id: what a used coupon cost. */
  async redeemedDiscounts(em: EntityManager, couponIds: readonly number[]): Promise<Map<number, number>> {
    const found = new Map<number, number>();
    const unique = [...new Set(couponIds)];
    for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
      const rows = await em.findBy(CouponRedemption, {
        couponId: In(unique.slice(i, i + IDS_PER_STATEMENT)),
        status: RedemptionStatus.Redeemed,
      });
      for (const row of rows) found.set(row.couponId, row.discountFen);
    }
    return found;
  },

  findRedemption(em: EntityManager, redemptionId: number): Promise<CouponRedemptionRecord | null> {
    return em.findOneBy(CouponRedemption, { id: redemptionId });
  },
};
