import { CouponStatus } from '@member/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * One coupon in a member's wallet. Two unique keys make claiming safe to race and to retry:
 * (template, member, seq) with seq ≤ the per-member limit, and (member, idempotency key), the key compared exactly
 * (utf8mb4_bin on MySQL: migration ExactIdempotencyKeys).
 */
@Entity('coupon')
@Index('uq_coupon_claim', ['templateId', 'memberId', 'seq'], { unique: true })
@Index('uq_coupon_idempotency', ['memberId', 'idempotencyKey'], { unique: true })
@Index('idx_coupon_wallet', ['memberId', 'status', 'validUntil'])
@Index('idx_coupon_expiry', ['status', 'validUntil'])
export class Coupon {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'template_id', type: 'int' })
  templateId!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  /** 1 for a member's first coupon of this template, 2 for the second, … up to the per-member limit. */
  @Column({ type: 'int' })
  seq!: number;

  /** What the till scans: digits only, random, unique. */
  @Index('uq_coupon_code', { unique: true })
  @Column({ type: 'varchar', length: 20 })
  code!: string;

  @Column({ type: 'varchar', length: 16, default: CouponStatus.Available })
  status!: CouponStatus;

  @Column({ name: 'valid_from', type: 'datetime' })
  validFrom!: Date;

  /** Last second of validity (e.g. 23:59:59 Asia/Shanghai of the last day), inclusive. */
  @Column({ name: 'valid_until', type: 'datetime' })
  validUntil!: Date;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'claimed_at', type: 'datetime' })
  claimedAt!: Date;

  @Column({ name: 'redeemed_at', type: 'datetime', nullable: true })
  redeemedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
