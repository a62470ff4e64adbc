import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { SaleChannel } from '../events/domain-events';

/**
 * The one sale model: what a till purchase (`purchase`) and an app order (`pay_order`) both record about a
 * sale — whose, where, under which key, and how its amount was made up (gross − member price − coupon − points
 * = money).
 * Both tables keep their own names and migrations; the columns are declared once here, so they cannot drift
 * apart (same names, types, defaults), and code that reads "a sale's amounts" takes `SaleAmounts`.
 * The money itself is named by what it is in each: `paid_fen` (paid at the till) and `payable_fen` (what
 * WeChat Pay charges); refunds of either are bounded by it (the one refund ceiling, in SaleRefunds and
 * PayRefundsService).
 */
export abstract class SaleColumns {
  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64 })
  idempotencyKey!: string;

  /** What was asked for, hashed: the same key with another payload is refused (null for app-paid purchases). */
  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;

  @Column({ name: 'store_code', type: 'varchar', length: 32 })
  storeCode!: string;

  /** The order's amount (订单金额) before the member price, the coupon and points. */
  @Column({ name: 'gross_fen', type: 'int' })
  grossFen!: number;

  /**
   * 会员价: what the member's tier took off the gross when the sale was priced (0 when none, or waived for a better
   * non-stacking coupon). Recorded, never re-read from the tier: settlement and refunds use these numbers.
   */
  @Column({ name: 'member_discount_fen', type: 'int', default: 0 })
  memberDiscountFen!: number;

  /** The member price applied, per-mille (850 = 8.5折; 1000 = none). */
  @Column({ name: 'member_price_permille', type: 'int', default: 1000 })
  memberPricePermille!: number;

  @Column({ name: 'coupon_id', type: 'int', nullable: true })
  couponId!: number | null;

  @Column({ name: 'redemption_id', type: 'int', nullable: true })
  redemptionId!: number | null;

  @Column({ name: 'coupon_discount_fen', type: 'int', default: 0 })
  couponDiscountFen!: number;

  @Column({ name: 'points_burned', type: 'int', default: 0 })
  pointsBurned!: number;

  /** Refunds that took effect. */
  @Column({ name: 'refunded_fen', type: 'int', default: 0 })
  refundedFen!: number;
}

/** How a sale's amount was made up, whichever table it is in. */
export type SaleAmounts = Pick<SaleColumns, 'grossFen' | 'memberDiscountFen' | 'couponDiscountFen' | 'pointsBurned' | 'refundedFen'>;

/** A settled sale: recorded at the till, or an app order once WeChat Pay confirmed it. */
@Entity('purchase')
@Index('uq_purchase_idempotency', ['staffOpenid', 'idempotencyKey'], { unique: true })
@Index('idx_purchase_member_time', ['memberId', 'purchasedAt'])
@Index('idx_purchase_store_time', ['storeCode', 'purchasedAt', 'id'])
export class Purchase extends SaleColumns {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** The clerk, or WECHAT_PAY_CHANNEL for an app order (whose idempotency key is its out_trade_no). */
  @Column({ name: 'staff_openid', type: 'varchar', length: 64 })
  staffOpenid!: string;

  /** What the member paid in money: gross − member price − coupon − points. Points are earned on this, and refunds bounded by it. */
  @Column({ name: 'paid_fen', type: 'int' })
  paidFen!: number;

  @Column({ name: 'points_earned', type: 'int', default: 0 })
  pointsEarned!: number;

  @Column({ name: 'bonus_permille', type: 'int', default: 1000 })
  bonusPermille!: number;

  @Column({ name: 'purchased_at', type: 'datetime' })
  purchasedAt!: Date;
}

/** One refund of a purchase (full or partial); `refund_no` (the till's number) makes a resent refund a replay. */
@Entity('purchase_refund')
@Index('uq_purchase_refund_no', ['purchaseId', 'refundNo'], { unique: true })
export class PurchaseRefund {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'purchase_id', type: 'int' })
  purchaseId!: number;

  @Column({ name: 'refund_no', type: 'varchar', length: 64 })
  refundNo!: string;

  @Column({ name: 'amount_fen', type: 'int' })
  amountFen!: number;

  @Column({ name: 'points_clawed', type: 'int' })
  pointsClawed!: number;

  /** Points the refund should have taken back but the member had already spent (never a negative balance). */
  @Column({ name: 'points_shortfall', type: 'int', default: 0 })
  pointsShortfall!: number;

  @Column({ name: 'points_restored', type: 'int' })
  pointsRestored!: number;

  @Column({ name: 'coupon_restored', type: 'boolean', default: false })
  couponRestored!: boolean;

  /**
   * This refund's share of each step of the sale's price, from the sale's recorded numbers (refundShares):
   * amount = gross share − member discount share − coupon discount share − points restored. Over all the refunds
   * of a sale refunded in full they sum exactly to the sale's numbers. 0 on refunds made before issue 17.
   */
  @Column({ name: 'gross_share_fen', type: 'int', default: 0 })
  grossShareFen!: number;

  @Column({ name: 'member_discount_share_fen', type: 'int', default: 0 })
  memberDiscountShareFen!: number;

  @Column({ name: 'coupon_discount_share_fen', type: 'int', default: 0 })
  couponDiscountShareFen!: number;

  @Column({ name: 'staff_openid', type: 'varchar', length: 64 })
  staffOpenid!: string;

  @Column({ name: 'refunded_at', type: 'datetime' })
  refundedAt!: Date;
}

/** The "clerk" of purchases paid in the app with WeChat Pay; their idempotency key is the order's out_trade_no. */
export const WECHAT_PAY_CHANNEL = 'wechat-pay';

export function channelOf(staffOpenid: string): SaleChannel {
  return staffOpenid === WECHAT_PAY_CHANNEL ? 'wechat-pay' : 'till';
}

/** The ledger line of points an app order holds from checkout until it is paid or closed. */
export function payOrderBurnKey(outTradeNo: string): string {
  return `payorder:${outTradeNo}:burn`;
}

export function burnSourceKey(purchaseId: number): string {
  return `purchase:${purchaseId}:burn`;
}

/** A sale to settle (SaleSettlement.settleWithin): its coupon already redeemed, its money taken. */
export interface Sale {
  memberId: number;
  staffOpenid: string;
  idempotencyKey: string;
  /** The till's request, hashed (app orders keep theirs on the order). */
  requestHash?: string | null;
  storeCode: string;
  grossFen: number;
  /**
   * The member price as priced (read from the tier under the member's lock at the till; the order's at WeChat
   * Pay). Left out: none (0 / 1000).
   */
  memberDiscountFen?: number;
  memberPricePermille?: number;
  couponId: number | null;
  redemptionId: number | null;
  couponDiscountFen: number;
  paidFen: number;
  /** Points to burn now (the till), or points an app order already holds under `sourceKey`. */
  burn: { points: number } | { heldPoints: number; sourceKey: string };
  now: Date;
}
