import { type MessageKind, type OutboxSkipReason, OutboxStatus, type SubscribeMoment } from '@member/shared';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The grant ledger: how many messages of one template WeChat will still take for one member. An accept in
 * the app adds one; a send spends one with a conditional UPDATE (`remaining > 0`), so n accepts allow
 * exactly n sends however many senders run; WeChat's 43101 sets it to 0.
 */
@Entity('message_grant')
@Index('uq_message_grant', ['memberId', 'templateId'], { unique: true })
@Index('idx_message_grant_template', ['templateId', 'remaining'])
// "Who of an audience has a grant left", in member id order (see the Segments migration).
@Index('idx_message_grant_reach', ['templateId', 'memberId', 'remaining'])
export class MessageGrant {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'template_id', type: 'varchar', length: 64 })
  templateId!: string;

  @Column({ type: 'int', default: 0 })
  remaining!: number;

  /** Every accept ever reported, for the reach statistics. */
  @Column({ name: 'accepted_total', type: 'int', default: 0 })
  acceptedTotal!: number;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}

/** One `requestSubscribeMessage` result reported by the app: the unique key makes a resent report count once. */
@Entity('message_subscribe_report')
@Index('uq_message_subscribe_report', ['memberId', 'idempotencyKey'], { unique: true })
export class SubscribeReport {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 24 })
  moment!: SubscribeMoment;

  /** The template ids accepted in this report, comma separated (what was credited). */
  @Column({ type: 'varchar', length: 400 })
  accepted!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/** A kind of message the member turned off (no row: on). */
@Entity('message_preference')
export class MessagePreference {
  @PrimaryColumn({ name: 'member_id', type: 'int' })
  memberId!: number;

  @PrimaryColumn({ type: 'varchar', length: 24 })
  kind!: MessageKind;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}

/**
 * The outbox: every message is a row first, written in the transaction of whatever caused it, and a sender
 * sends it later. `dedupe_key` is unique, so the same cause (one campaign × member, one coupon's expiry
 * reminder) queues one message however often it is triggered. Rows move queued → sending (before the WeChat
 * call, so a crash never resends) → sent | failed | skipped.
 */
@Entity('message_outbox')
@Index('idx_message_outbox_due', ['status', 'dueAt'])
@Index('idx_message_outbox_member', ['memberId', 'sentAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('uq_message_outbox_dedupe', { unique: true })
  @Column({ name: 'dedupe_key', type: 'varchar', length: 128 })
  dedupeKey!: string;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ type: 'varchar', length: 24 })
  kind!: MessageKind;

  @Column({ name: 'template_id', type: 'varchar', length: 64 })
  templateId!: string;

  @Column({ type: 'varchar', length: 200 })
  page!: string;

  /** The `data` WeChat gets, already fitted and checked: `{"thing1": {"value": "…"}}`. */
  @Column({ type: 'text' })
  data!: string;

  @Column({ type: 'varchar', length: 16, default: OutboxStatus.Queued })
  status!: OutboxStatus;

  @Column({ name: 'skip_reason', type: 'varchar', length: 24, nullable: true })
  skipReason!: OutboxSkipReason | null;

  @Column({ type: 'int', nullable: true })
  errcode!: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  error!: string | null;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Whether this row holds one of the member's grants right now (spent before the call, given back when WeChat did not use it). */
  @Column({ name: 'grant_spent', type: 'boolean', default: false })
  grantSpent!: boolean;

  @Column({ name: 'due_at', type: 'datetime' })
  dueAt!: Date;

  @Column({ name: 'claimed_at', type: 'datetime', nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'sent_at', type: 'datetime', nullable: true })
  sentAt!: Date | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  msgid!: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/** The global send rate across instances: one row, locked by whoever claims, counting sends per one-second slot. */
@Entity('message_send_window')
export class SendWindow {
  @PrimaryColumn({ type: 'int' })
  id!: number;

  @Column({ name: 'slot_start', type: 'datetime' })
  slotStart!: Date;

  @Column({ type: 'int', default: 0 })
  used!: number;
}
