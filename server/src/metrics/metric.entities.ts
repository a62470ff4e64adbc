import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** bigint arrives as a string from mysql2; these figures stay far below 2^53. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * One figure of one business day (Asia/Shanghai), for one store or for the whole chain (`store_code` ''):
 * the long table every dashboard KPI and trend reads. The key (store, day, metric) makes a re-run rewrite the
 * same rows; store first, so a dashboard's range for one store is one contiguous index range.
 */
@Entity('metric_day')
@Index('idx_metric_day_day', ['day'])
export class MetricDay {
  @PrimaryColumn({ name: 'store_code', type: 'varchar', length: 32 })
  storeCode!: string;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  day!: string;

  @PrimaryColumn({ type: 'varchar', length: 48 })
  metric!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  value!: number;
}

/** Coupons of one day by template (`dimension` 'template', ref = template id) or by campaign (ref = campaign id). */
@Entity('metric_coupon_day')
export class MetricCouponDay {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  dimension!: 'template' | 'campaign';

  @PrimaryColumn({ name: 'ref_id', type: 'int' })
  refId!: number;

  @Column({ type: 'int' })
  issued!: number;

  @Column({ type: 'int' })
  redeemed!: number;

  @Column({ type: 'int' })
  expired!: number;

  @Column({ name: 'discount_fen', type: 'bigint', transformer: bigintAsNumber })
  discountFen!: number;
}

/** Outbox messages created on the day, by kind and outcome (queued, sent, failed:<errcode>, skipped:<reason>). */
@Entity('metric_message_day')
export class MetricMessageDay {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day!: string;

  @PrimaryColumn({ type: 'varchar', length: 24 })
  kind!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  outcome!: string;

  @Column({ type: 'int' })
  messages!: number;
}

/** A campaign run's treated and holdout revenue and its cost, as of the end of the day (within its window). */
@Entity('metric_campaign_day')
export class MetricCampaignDay {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day!: string;

  @PrimaryColumn({ name: 'run_id', type: 'int' })
  runId!: number;

  @Column({ name: 'campaign_id', type: 'int' })
  campaignId!: number;

  @Column({ type: 'int' })
  treated!: number;

  @Column({ type: 'int' })
  holdout!: number;

  @Column({ name: 'treated_revenue_fen', type: 'bigint', transformer: bigintAsNumber })
  treatedRevenueFen!: number;

  @Column({ name: 'holdout_revenue_fen', type: 'bigint', transformer: bigintAsNumber })
  holdoutRevenueFen!: number;

  @Column({ name: 'discount_fen', type: 'bigint', transformer: bigintAsNumber })
  discountFen!: number;

  @Column({ name: 'points_cost_fen', type: 'bigint', transformer: bigintAsNumber })
  pointsCostFen!: number;
}

/** Each member's RFM segment as of a month (the last snapshot taken in it): member_rfm keeps only the current one. */
@Entity('member_segment_month')
export class MemberSegmentMonth {
  @PrimaryColumn({ type: 'varchar', length: 7 })
  month!: string;

  @PrimaryColumn({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ type: 'varchar', length: 24 })
  segment!: string;
}

/** Members moving from the previous month's segment to this month's. */
@Entity('metric_segment_migration')
export class MetricSegmentMigration {
  @PrimaryColumn({ type: 'varchar', length: 7 })
  month!: string;

  @PrimaryColumn({ name: 'from_segment', type: 'varchar', length: 24 })
  fromSegment!: string;

  @PrimaryColumn({ name: 'to_segment', type: 'varchar', length: 24 })
  toSegment!: string;

  @Column({ type: 'int' })
  members!: number;
}

/** A join-month cohort's size and how many of it bought in `month`. */
@Entity('metric_cohort')
export class MetricCohort {
  @PrimaryColumn({ type: 'varchar', length: 7 })
  cohort!: string;

  @PrimaryColumn({ type: 'varchar', length: 7 })
  month!: string;

  @Column({ type: 'int' })
  members!: number;

  @Column({ type: 'int' })
  retained!: number;
}

/**
 * One row per snapshotted day: when it was computed and how long it took. Also the day's lock: a snapshot
 * writes this row first, so two snapshots of the same day (two instances, a backfill over the schedule) queue
 * on it instead of interleaving their deletes and inserts.
 */
@Entity('metric_snapshot')
export class MetricSnapshot {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day!: string;

  @Column({ name: 'computed_at', type: 'datetime' })
  computedAt!: Date;

  @Column({ name: 'took_ms', type: 'int' })
  tookMs!: number;
}
