import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const RedemptionStatus = { Redeemed: 'redeemed', Reversed: 'reversed' } as const;
export type RedemptionStatus = (typeof RedemptionStatus)[keyof typeof RedemptionStatus];

/** The sale a redemption was made for: only that sale's refund, cancel or expiry may undo it. */
export const RedemptionOwner = { PayOrder: 'pay_order', Purchase: 'purchase' } as const;
export type RedemptionOwner = (typeof RedemptionOwner)[keyof typeof RedemptionOwner];

/** A clerk's redemption (核销) of a coupon at the till, and its undo (a refund). */
@Entity('coupon_redemption')
@Index('uq_redemption_idempotency', ['staffOpenid', 'idempotencyKey'], { unique: true })
@Index('idx_redemption_store_time', ['storeCode', 'redeemedAt'])
export class CouponRedemption {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('idx_redemption_coupon')
  @Column({ name: 'coupon_id', type: 'int' })
  couponId!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'staff_openid', type: 'varchar', length: 64 })
  staffOpenid!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64, nullable: true })
  idempotencyKey!: string | null;

  /** A standalone redemption's request, hashed: the same key with another payload is refused. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;

  /** Null for a standalone redemption at the till; else the kind of sale that holds it. */
  @Column({ name: 'owner_kind', type: 'varchar', length: 16, nullable: true })
  ownerKind!: RedemptionOwner | null;

  /**
   * The store it was made at (the clerk's, from the account): only that store's staff or an admin may reverse
   * it. Null when unknown (rows older than the column, an admin redeeming without naming a store): admins only.
   */
  @Column({ name: 'store_code', type: 'varchar', length: 32, nullable: true })
  storeCode!: string | null;

  @Column({ name: 'order_amount_fen', type: 'int' })
  orderAmountFen!: number;

  @Column({ name: 'discount_fen', type: 'int' })
  discountFen!: number;

  @Column({ name: 'payable_fen', type: 'int' })
  payableFen!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: RedemptionStatus;

  @Column({ name: 'redeemed_at', type: 'datetime' })
  redeemedAt!: Date;

  @Column({ name: 'reversed_at', type: 'datetime', nullable: true })
  reversedAt!: Date | null;
}
