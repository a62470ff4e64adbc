import type { RfmSegment } from '@member/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** bigint arrives as a string from mysql2; these sums stay far below 2^53 fen. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string | number | null) => (value === null ? null : Number(value)) };

/**
 * A joined member's RFM standing as of the last refresh (RfmRefreshJob): the metrics, their 1…5 scores and the
 * segment, plus the 12-month spend the audience filter reads. Written only by the refresh, set-based.
 */
@Entity('member_rfm')
@Index('idx_member_rfm_segment', ['segment', 'spend12mFen'])
@Index('idx_member_rfm_spend', ['spend12mFen'])
@Index('idx_member_rfm_id', ['memberId', 'segment', 'spend12mFen'])
export class MemberRfm {
  @PrimaryColumn({ name: 'member_id', type: 'int' })
  memberId!: number;

  /** Business days since the last purchase; null: never bought. */
  @Column({ name: 'recency_days', type: 'int', nullable: true })
  recencyDays!: number | null;

  /** Purchases in the RFM window, fully refunded ones left out. */
  @Column({ type: 'int', default: 0 })
  frequency!: number;

  /** Paid minus refunded in the RFM window. */
  @Column({ name: 'monetary_fen', type: 'bigint', default: 0, transformer: bigintAsNumber })
  monetaryFen!: number;

  /** Paid minus refunded in the tier window (the 12-month spend tiers are judged by). */
  @Column({ name: 'spend_12m_fen', type: 'bigint', default: 0, transformer: bigintAsNumber })
  spend12mFen!: number;

  /** Scores are null without a purchase in the window. */
  @Column({ name: 'r_score', type: 'smallint', nullable: true })
  rScore!: number | null;

  @Column({ name: 'f_score', type: 'smallint', nullable: true })
  fScore!: number | null;

  @Column({ name: 'm_score', type: 'smallint', nullable: true })
  mScore!: number | null;

  /** null only for a member the running refresh has measured but not yet scored (between its two passes). */
  @Column({ type: 'varchar', length: 24, nullable: true })
  segment!: RfmSegment | null;

  @Column({ name: 'computed_at', type: 'datetime' })
  computedAt!: Date;
}

/** The refresh's one state row (id 1): the lease that keeps refreshes from overlapping, and the last result. */
@Entity('member_rfm_refresh')
export class MemberRfmRefresh {
  @PrimaryColumn({ type: 'int' })
  id!: number;

  @Column({ name: 'lease_token', type: 'varchar', length: 36, nullable: true })
  leaseToken!: string | null;

  @Column({ name: 'lease_heartbeat_at', type: 'datetime', nullable: true })
  leaseHeartbeatAt!: Date | null;

  @Column({ name: 'computed_at', type: 'datetime', nullable: true })
  computedAt!: Date | null;

  /** The last SegmentsRefreshResponse, as JSON. */
  @Column({ type: 'text', nullable: true })
  summary!: string | null;
}
