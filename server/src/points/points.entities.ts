import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/bigint';

/** Why points moved. Every line of the ledger has one. */
export const PointsReason = {
  /** Earned by a purchase. */
  Earn: 'earn',
  /** Paid part of a purchase (100 points = ¥1). */
  Burn: 'burn',
  /** Taken back by a refund of the purchase that earned them. */
  Clawback: 'clawback',
  /** Burned points given back by a refund. */
  Restore: 'restore',
  /** A lot reached its expiry. */
  Expire: 'expire',
  /** Exchanged for a coupon in the points shop. */
  Exchange: 'exchange',
  /** Given by a marketing campaign. */
  Campaign: 'campaign',
} as const;
export type PointsReason = (typeof PointsReason)[keyof typeof PointsReason];

/**
 * The points ledger: append-only (the code never updates or deletes a line). The member's balance is the sum
 * of `delta`; `source_key` is unique, so an effect retried (a purchase recorded twice, a refund sent again,
 * the expiry job run by two instances) writes its line once.
 */
@Entity('points_ledger')
@Index('idx_points_ledger_member', ['memberId', 'id'])
export class PointsLedgerLine {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  // BIGINT (issue 14): an expiry or clawback line and the running balance grow with the member's history.
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  delta!: number;

  @Column({ name: 'balance_after', type: 'bigint', transformer: bigintAsNumber })
  balanceAfter!: number;

  @Column({ type: 'varchar', length: 16 })
  reason!: PointsReason;

  @Index('uq_points_source', { unique: true })
  @Column({ name: 'source_key', type: 'varchar', length: 80 })
  sourceKey!: string;

  @Column({ name: 'purchase_id', type: 'int', nullable: true })
  purchaseId!: number | null;

  /**
   * Credits: when these points expire. Debits: the earliest expiry among the lots they were taken from, so
   * points a refund gives back keep the expiry they had (they do not become younger).
   */
  @Column({ name: 'expires_at', type: 'datetime', nullable: true })
  expiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/**
 * Points still to spend, one row per credit, spent oldest-expiry first. The ledger says what happened; lots say
 * what is left and when it expires. Invariant (checked by the tests): Σ remaining = balance = Σ ledger delta.
 */
@Entity('points_lot')
@Index('idx_points_lot_member', ['memberId', 'expiresAt'])
@Index('idx_points_lot_expiry', ['expiresAt'])
export class PointsLot {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'ledger_id', type: 'int' })
  ledgerId!: number;

  @Column({ type: 'int' })
  points!: number;

  @Column({ type: 'int' })
  remaining!: number;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;
}

/** A purchase recorded at the till: what was due, what the coupon and points paid, what the member paid and earned. */
@Entity('purchase')
@Index('uq_purchase_idempotency', ['staffOpenid', 'idempotencyKey'], { unique: true })
@Index('idx_purchase_member_time', ['memberId', 'purchasedAt'])
export class Purchase {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'staff_openid', type: 'varchar', length: 64 })
  staffOpenid!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64 })
  idempotencyKey!: string;

  /** What the till asked for, hashed: the same key with another payload is refused (null for app orders). */
  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;

  @Column({ name: 'store_code', type: 'varchar', length: 32 })
  storeCode!: string;

  /** The order's amount before the coupon and points. */
  @Column({ name: 'gross_fen', type: 'int' })
  grossFen!: number;

  @Column({ name: 'coupon_id', type: 'int', nullable: true })
  couponId!: number | null;

  @Column({ name: 'redemption_id', type: 'int', nullable: true })
  redemptionId!: number | null;

  @Column({ name: 'coupon_discount_fen', type: 'int', default: 0 })
  couponDiscountFen!: number;

  @Column({ name: 'points_burned', type: 'int', default: 0 })
  pointsBurned!: number;

  /** What the member paid in money: gross − coupon − points. Points are earned on this, and refunds bounded by it. */
  @Column({ name: 'paid_fen', type: 'int' })
  paidFen!: number;

  @Column({ name: 'refunded_fen', type: 'int', default: 0 })
  refundedFen!: number;

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

  @Column({ name: 'staff_openid', type: 'varchar', length: 64 })
  staffOpenid!: string;

  @Column({ name: 'refunded_at', type: 'datetime' })
  refundedAt!: Date;
}
