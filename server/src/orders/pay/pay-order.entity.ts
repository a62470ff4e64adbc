import { PayOrderStatus, PayRefundStatus } from '@member/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { SaleColumns } from '../sale.entities';

/**
 * A member's order paid with WeChat Pay in the app. While pending it holds the coupon (redeemed) and the
 * points (debited) it was priced with; paying settles it into a purchase, closing gives them back. Every
 * status change is a conditional UPDATE from the expected status, so a notification delivered many times,
 * or raced by the reconciliation job, changes it once. Its amount columns are the sale's (SaleColumns);
 * `refunded_fen` counts the refunds WeChat confirmed.
 */
@Entity('pay_order')
@Index('uq_pay_order_idempotency', ['memberId', 'idempotencyKey'], { unique: true })
@Index('idx_pay_order_status', ['status', 'createdAt'])
@Index('idx_pay_order_member', ['memberId', 'id'])
export class PayOrder extends SaleColumns {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** Ours, sent to WeChat: 6-32 characters. */
  @Index('uq_pay_order_out_trade_no', { unique: true })
  @Column({ name: 'out_trade_no', type: 'varchar', length: 32 })
  outTradeNo!: string;

  /** The payer WeChat must report (payer.openid). */
  @Column({ type: 'varchar', length: 64 })
  openid!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: PayOrderStatus;

  /** What WeChat Pay charges; a notification for any other amount flags the order. */
  @Column({ name: 'payable_fen', type: 'int' })
  payableFen!: number;

  /** Refunds asked for and not failed (processing + succeeded): never more than payable_fen. */
  @Column({ name: 'refund_committed_fen', type: 'int', default: 0 })
  refundCommittedFen!: number;

  @Column({ name: 'prepay_id', type: 'varchar', length: 64, nullable: true })
  prepayId!: string | null;

  /** When WeChat issued prepay_id (valid 2 h); null on older rows: read as created_at. */
  @Column({ name: 'prepay_at', type: 'datetime', nullable: true })
  prepayAt!: Date | null;

  @Column({ name: 'transaction_id', type: 'varchar', length: 32, nullable: true })
  transactionId!: string | null;

  @Column({ name: 'purchase_id', type: 'int', nullable: true })
  purchaseId!: number | null;

  @Column({ name: 'flag_reason', type: 'varchar', length: 200, nullable: true })
  flagReason!: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;

  @Column({ name: 'paid_at', type: 'datetime', nullable: true })
  paidAt!: Date | null;

  @Column({ name: 'closed_at', type: 'datetime', nullable: true })
  closedAt!: Date | null;
}

/** A refund of a paid order, asked of WeChat; its effects (points, coupon) apply once WeChat confirms it. */
@Entity('pay_refund')
@Index('idx_pay_refund_order', ['payOrderId'])
@Index('idx_pay_refund_status', ['status', 'createdAt'])
export class PayRefund {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'pay_order_id', type: 'int' })
  payOrderId!: number;

  /** Ours, sent to WeChat; WeChat refunds one number once. */
  @Index('uq_pay_refund_no', { unique: true })
  @Column({ name: 'out_refund_no', type: 'varchar', length: 64 })
  outRefundNo!: string;

  @Column({ name: 'amount_fen', type: 'int' })
  amountFen!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: PayRefundStatus;

  @Column({ type: 'varchar', length: 80, nullable: true })
  reason!: string | null;

  @Column({ name: 'refund_id', type: 'varchar', length: 64, nullable: true })
  refundId!: string | null;

  @Column({ name: 'staff_openid', type: 'varchar', length: 64 })
  staffOpenid!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  failure!: string | null;

  /** Status `flagged`: WeChat confirmed a refund that conflicts with our state; why, for the person who resolves it. */
  @Column({ name: 'flag_reason', type: 'varchar', length: 200, nullable: true })
  flagReason!: string | null;

  @Column({ name: 'purchase_refund_id', type: 'int', nullable: true })
  purchaseRefundId!: number | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'succeeded_at', type: 'datetime', nullable: true })
  succeededAt!: Date | null;
}

export { PayOrderStatus, PayRefundStatus };
