import { type CampaignRunStatus, type CampaignSchedule, type CampaignStatus, type MessageKind } from '@member/shared';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/bigint';

/** A campaign as marketing set it up. The audience filter is stored as JSON and applied anew at each run. */
@Entity('campaign')
@Index('uq_campaign_idempotency', ['idempotencyKey'], { unique: true })
@Index('idx_campaign_status', ['status'])
@Index('uq_campaign_system', ['systemKey'], { unique: true })
export class Campaign {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CampaignStatus;

  /** AudienceFilter, JSON. */
  @Column({ type: 'text' })
  filter!: string;

  @Column({ name: 'coupon_template_id', type: 'int', nullable: true })
  couponTemplateId!: number | null;

  @Column({ type: 'int', default: 0 })
  points!: number;

  @Column({ name: 'message_kind', type: 'varchar', length: 24, nullable: true })
  messageKind!: MessageKind | null;

  @Column({ name: 'offer_text', type: 'varchar', length: 40, nullable: true })
  offerText!: string | null;

  @Column({ type: 'varchar', length: 16 })
  schedule!: CampaignSchedule;

  @Column({ name: 'starts_at', type: 'datetime', nullable: true })
  startsAt!: Date | null;

  @Column({ name: 'dormant_days', type: 'int', nullable: true })
  dormantDays!: number | null;

  @Column({ name: 'days_before', type: 'int', nullable: true })
  daysBefore!: number | null;

  @Column({ name: 'holdout_permille', type: 'int', default: 0 })
  holdoutPermille!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64 })
  idempotencyKey!: string;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'launched_at', type: 'datetime', nullable: true })
  launchedAt!: Date | null;

  /** A campaign the system runs itself (system-campaigns.ts: birthday perks, the expiry reminder); NULL for staff's. */
  @Column({ name: 'system_key', type: 'varchar', length: 32, nullable: true })
  systemKey!: string | null;
}

/**
 * One issuance of a campaign: 'once' for a one-off, a business date for a recurring one (unique per campaign,
 * so two schedulers create it once). Its chunks of member ids are checkpointed one row each in
 * campaign_run_chunk, written in the chunk's own transaction, so a crash loses at most the chunks in flight and a
 * restart carries on with the rest.
 */
@Entity('campaign_run')
@Index('uq_campaign_run_period', ['campaignId', 'period'], { unique: true })
@Index('idx_campaign_run_status', ['status'])
export class CampaignRun {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'campaign_id', type: 'int' })
  campaignId!: number;

  @Column({ type: 'varchar', length: 16 })
  period!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CampaignRunStatus;

  /** The audience as of the run's start (relative criteria such as "days since" are computed from it). */
  @Column({ name: 'as_of', type: 'datetime' })
  asOf!: Date;

  /**
   * Where the run's chunks start (1). No longer moved: it was the checkpoint before campaign_run_chunk, so for a
   * run started before that, the ids below it are done.
   */
  @Column({ name: 'next_member_id', type: 'int', default: 0 })
  nextMemberId!: number;

  /** The highest member id when the run started: members joining later are not part of it. */
  @Column({ name: 'last_member_id', type: 'int', default: 0 })
  lastMemberId!: number;

  @Column({ type: 'int', default: 0 })
  targeted!: number;

  @Column({ name: 'held_out', type: 'int', default: 0 })
  heldOut!: number;

  @Column({ name: 'coupons_issued', type: 'int', default: 0 })
  couponsIssued!: number;

  @Column({ name: 'coupons_short', type: 'int', default: 0 })
  couponsShort!: number;

  /** BIGINT: a running total over every member or sale (INT overflowed at ~2.1e9 points). */
  @Column({ name: 'points_granted', type: 'bigint', default: 0, transformer: bigintAsNumber })
  pointsGranted!: number;

  @Column({ name: 'messages_queued', type: 'int', default: 0 })
  messagesQueued!: number;

  /** Treated members with no accept for the message's template: nothing queued for them. */
  @Column({ name: 'messages_no_grant', type: 'int', default: 0 })
  messagesNoGrant!: number;

  @Column({ name: 'started_at', type: 'datetime' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'datetime', nullable: true })
  finishedAt!: Date | null;
}

/** Who a run reached: the primary key (run, member) is what makes "each member at most once per run" hold. */
@Entity('campaign_member')
@Index('idx_campaign_member_member', ['memberId'])
export class CampaignMember {
  @PrimaryColumn({ name: 'run_id', type: 'int' })
  runId!: number;

  @PrimaryColumn({ name: 'member_id', type: 'int' })
  memberId!: number;

  /** In the holdout: counted, given nothing, compared with the treated. */
  @Column({ type: 'boolean' })
  holdout!: boolean;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/**
 * A chunk of a run that is done (or being issued: the row is written first in the chunk's transaction). The
 * primary key (run, first member id) is the chunk's claim: a second instance's insert waits for the first one's
 * commit and then fails on the key, so each chunk is issued once, and chunks of one run go in parallel.
 */
@Entity('campaign_run_chunk')
export class CampaignRunChunk {
  @PrimaryColumn({ name: 'run_id', type: 'int' })
  runId!: number;

  @PrimaryColumn({ name: 'first_member_id', type: 'int' })
  firstMemberId!: number;

  @Column({ name: 'last_member_id', type: 'int' })
  lastMemberId!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
