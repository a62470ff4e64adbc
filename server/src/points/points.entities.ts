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
  /** Given by a rule that fired on a purchase (营销规则 / 支付有礼). */
  Reward: 'reward',
  /** Given as goodwill when staff resolved a member's complaint (feedback). */
  Goodwill: 'goodwill',
  /** An admin's manual adjustment, either way (feedback). */
  Adjust: 'adjust',
  /** The opening balance of a member brought in by an import (issue 18), with the expiry the file gave. */
  Import: 'import',
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
   * Credits: when these points expire (a give-back in several parts: the soonest). Debits: the earliest expiry
   * among the lots they were taken from; what each lot gave is kept in points_draw, so points given back later
   * keep each part's own expiry.
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

/**
 * What one debit took from one lot, and how much of it has been given back since. A refund or a released order
 * gives burned points back with the expiry each part had: a burn of 100 points expiring this year and 900 expiring
 * next year gives back 100 and 900 with those expiries, not 1,000 with the sooner one (900 points lost a year, or
 * all of them when the give-back came after that year's end).
 */
@Entity('points_draw')
@Index('idx_points_draw_ledger', ['ledgerId'])
export class PointsDraw {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** The debit's ledger line. */
  @Column({ name: 'ledger_id', type: 'int' })
  ledgerId!: number;

  @Column({ name: 'lot_id', type: 'int' })
  lotId!: number;

  @Column({ type: 'int' })
  points!: number;

  /** Given back so far (never above `points`: a conditional UPDATE). */
  @Column({ type: 'int', default: 0 })
  restored!: number;

  /** The lot's expiry, which given-back points keep. */
  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;
}
