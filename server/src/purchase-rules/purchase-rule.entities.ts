import type { PurchaseRuleChannel, PurchaseRuleStatus } from '@member/shared';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/bigint';

/** A rule: conditions → reward, within a budget (see shared/src/purchase-rules.ts for the meaning of each field). */
@Entity('purchase_rule')
export class PurchaseRule {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  name!: string;

  @Index('idx_purchase_rule_status')
  @Column({ type: 'varchar', length: 16 })
  status!: PurchaseRuleStatus;

  @Column({ type: 'int', default: 0 })
  priority!: number;

  @Column({ type: 'boolean', default: false })
  exclusive!: boolean;

  @Column({ name: 'min_paid_fen', type: 'int', nullable: true })
  minPaidFen!: number | null;

  @Column({ name: 'first_purchase', type: 'boolean', default: false })
  firstPurchase!: boolean;

  /** Tier codes, comma-separated; '' = every tier. */
  @Column({ type: 'varchar', length: 200, default: '' })
  tiers!: string;

  /** Store codes, comma-separated; '' = every store. */
  @Column({ type: 'text' })
  stores!: string;

  @Column({ name: 'starts_on', type: 'varchar', length: 10, nullable: true })
  startsOn!: string | null;

  @Column({ name: 'ends_on', type: 'varchar', length: 10, nullable: true })
  endsOn!: string | null;

  @Column({ name: 'member_day_only', type: 'boolean', default: false })
  memberDayOnly!: boolean;

  @Column({ type: 'varchar', length: 16 })
  channel!: PurchaseRuleChannel;

  @Column({ name: 'coupon_template_id', type: 'int', nullable: true })
  couponTemplateId!: number | null;

  @Column({ name: 'coupon_count', type: 'int', default: 0 })
  couponCount!: number;

  @Column({ type: 'int', default: 0 })
  points!: number;

  @Column({ name: 'multiplier_permille', type: 'int', nullable: true })
  multiplierPermille!: number | null;

  @Column({ name: 'max_grants', type: 'int', nullable: true })
  maxGrants!: number | null;

  @Column({ name: 'max_points', type: 'int', nullable: true })
  maxPoints!: number | null;

  @Column({ name: 'max_coupons', type: 'int', nullable: true })
  maxCoupons!: number | null;

  @Column({ name: 'granted_count', type: 'int', default: 0 })
  grantedCount!: number;

  /** BIGINT: a running total over every member or sale (INT overflowed at ~2.1e9 points). */
  @Column({ name: 'points_granted', type: 'bigint', default: 0, transformer: bigintAsNumber })
  pointsGranted!: number;

  @Column({ name: 'coupons_granted', type: 'int', default: 0 })
  couponsGranted!: number;

  @Column({ name: 'take_back', type: 'boolean', default: true })
  takeBack!: boolean;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}

/** What one rule gave one purchase: at most one per (rule, purchase). */
@Entity('purchase_rule_grant')
@Index('uq_purchase_rule_grant', ['ruleId', 'purchaseId'], { unique: true })
@Index('idx_purchase_rule_grant_member', ['ruleId', 'memberId'])
export class PurchaseRuleGrant {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'rule_id', type: 'int' })
  ruleId!: number;

  @Index('idx_purchase_rule_grant_purchase')
  @Column({ name: 'purchase_id', type: 'int' })
  purchaseId!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'store_code', type: 'varchar', length: 32 })
  storeCode!: string;

  /** What the triggering purchase paid (for the report). */
  @Column({ name: 'paid_fen', type: 'int' })
  paidFen!: number;

  @Column({ type: 'int', default: 0 })
  points!: number;

  @Column({ name: 'coupon_count', type: 'int', default: 0 })
  couponCount!: number;

  @Column({ name: 'granted_at', type: 'datetime' })
  grantedAt!: Date;

  /** Set when a full refund took the reward back. */
  @Column({ name: 'taken_back_at', type: 'datetime', nullable: true })
  takenBackAt!: Date | null;

  @Column({ name: 'points_clawed', type: 'int', default: 0 })
  pointsClawed!: number;

  /** Reward points the member had already spent, so could not be clawed back. */
  @Column({ name: 'points_shortfall', type: 'int', default: 0 })
  pointsShortfall!: number;

  @Column({ name: 'coupons_voided', type: 'int', default: 0 })
  couponsVoided!: number;

  /** The discount of reward coupons already used when the sale was refunded: lost. */
  @Column({ name: 'loss_fen', type: 'int', default: 0 })
  lossFen!: number;
}

/** The coupons a grant issued. */
@Entity('purchase_rule_grant_coupon')
export class PurchaseRuleGrantCoupon {
  @PrimaryColumn({ name: 'grant_id', type: 'int' })
  grantId!: number;

  @Index('uq_purchase_rule_grant_coupon', { unique: true })
  @PrimaryColumn({ name: 'coupon_id', type: 'int' })
  couponId!: number;
}
