import { CouponAudience, CouponKind, CouponTemplateStatus } from '@member/shared';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** What marketing defines: the offer, its stock and limits, when it can be claimed and used, and by whom. */
@Entity('coupon_template')
export class CouponTemplate {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  name!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind!: CouponKind;

  @Column({ name: 'value_fen', type: 'int', nullable: true })
  valueFen!: number | null;

  @Column({ name: 'threshold_fen', type: 'int', default: 0 })
  thresholdFen!: number;

  @Column({ name: 'percent_permille', type: 'int', nullable: true })
  percentPermille!: number | null;

  @Column({ name: 'cap_fen', type: 'int', nullable: true })
  capFen!: number | null;

  @Column({ name: 'gift_name', type: 'varchar', length: 40, nullable: true })
  giftName!: string | null;

  @Column({ name: 'stacks_with_member_discount', type: 'boolean', default: false })
  stacksWithMemberDiscount!: boolean;

  /** Sold in the points shop for this many points; null = a free claim from the claim centre. */
  @Column({ name: 'points_price', type: 'int', nullable: true })
  pointsPrice!: number | null;

  @Column({ name: 'total_stock', type: 'int' })
  totalStock!: number;

  /** Changed only by conditional UPDATE (`claimed_count < total_stock`), never read-modify-write. */
  @Column({ name: 'claimed_count', type: 'int', default: 0 })
  claimedCount!: number;

  @Column({ name: 'redeemed_count', type: 'int', default: 0 })
  redeemedCount!: number;

  @Column({ name: 'per_member_limit', type: 'int' })
  perMemberLimit!: number;

  @Column({ name: 'validity_type', type: 'varchar', length: 16 })
  validityType!: 'fixed' | 'relative';

  @Column({ name: 'valid_from', type: 'datetime', nullable: true })
  validFrom!: Date | null;

  @Column({ name: 'valid_until', type: 'datetime', nullable: true })
  validUntil!: Date | null;

  @Column({ name: 'valid_days', type: 'int', nullable: true })
  validDays!: number | null;

  @Column({ name: 'claim_starts_at', type: 'datetime' })
  claimStartsAt!: Date;

  @Column({ name: 'claim_ends_at', type: 'datetime' })
  claimEndsAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  audience!: CouponAudience;

  /** Comma-separated tier codes when audience is "tiers". */
  @Column({ name: 'audience_tiers', type: 'varchar', length: 64, nullable: true })
  audienceTiers!: string | null;

  /** Up by one with every edit (TemplatesService.update): the claim path's cached copy is checked against it. */
  @Column({ name: 'terms_version', type: 'int', default: 1 })
  termsVersion!: number;

  @Column({ type: 'varchar', length: 16, default: CouponTemplateStatus.Active })
  status!: CouponTemplateStatus;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
