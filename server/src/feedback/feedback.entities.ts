import type { FeedbackCategory, FeedbackChannel, FeedbackKind, FeedbackStatus, GoodwillKind, StaffRole } from '@member/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A member's feedback or complaint (投诉与反馈). `due_at` is when the first response is due (created +
 * feedback.firstResponseMinutes of its channel); the status moves only forward (FEEDBACK_TRANSITIONS), each
 * step a conditional UPDATE on the status it leaves. (member, idempotency key) is unique: a retried submit
 * finds the case it made.
 */
@Entity('feedback_case')
@Index('uq_feedback_case_key', ['memberId', 'idempotencyKey'], { unique: true })
@Index('idx_feedback_case_member', ['memberId', 'id'])
@Index('idx_feedback_case_queue', ['status', 'dueAt'])
@Index('idx_feedback_case_store', ['storeCode', 'status'])
@Index('idx_feedback_case_created', ['createdAt'])
export class FeedbackCase {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: FeedbackKind;

  @Column({ type: 'varchar', length: 16 })
  category!: FeedbackCategory;

  @Column({ type: 'varchar', length: 8 })
  channel!: FeedbackChannel;

  /** The store the case is about (the clerk's, or the named order's); null: HQ's queue only. */
  @Column({ name: 'store_code', type: 'varchar', length: 32, nullable: true })
  storeCode!: string | null;

  /** "A<out_trade_no>" or "S<purchase id>": one of the member's own orders (checked when raised). */
  @Column({ name: 'order_ref', type: 'varchar', length: 48, nullable: true })
  orderRef!: string | null;

  @Column({ type: 'varchar', length: 2000 })
  text!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: FeedbackStatus;

  /** The clerk who logged it at the till; null when the member raised it. */
  @Column({ name: 'created_by_staff_id', type: 'int', nullable: true })
  createdByStaffId!: number | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64 })
  idempotencyKey!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'due_at', type: 'datetime' })
  dueAt!: Date;

  @Column({ name: 'first_response_at', type: 'datetime', nullable: true })
  firstResponseAt!: Date | null;

  @Column({ name: 'resolved_at', type: 'datetime', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  resolution!: string | null;

  @Column({ name: 'resolved_by_staff_id', type: 'int', nullable: true })
  resolvedByStaffId!: number | null;

  @Column({ type: 'int', nullable: true })
  rating!: number | null;

  @Column({ name: 'rating_comment', type: 'varchar', length: 200, nullable: true })
  ratingComment!: string | null;

  @Column({ name: 'rated_at', type: 'datetime', nullable: true })
  ratedAt!: Date | null;
}

/** The conversation on a case: the member's and staff's messages, oldest first. (case, key) is unique. */
@Entity('feedback_message')
@Index('uq_feedback_message_key', ['caseId', 'idempotencyKey'], { unique: true })
export class FeedbackMessage {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'case_id', type: 'int' })
  caseId!: number;

  @Column({ type: 'varchar', length: 8 })
  author!: 'member' | 'staff';

  @Column({ name: 'staff_id', type: 'int', nullable: true })
  staffId!: number | null;

  @Column({ type: 'varchar', length: 2000 })
  body!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64 })
  idempotencyKey!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/**
 * A photo a member uploaded for a case: uploaded first (case_id NULL), attached when the case is raised. Kept
 * in the database like avatars, so every instance serves it; addressed by its content hash.
 */
@Entity('feedback_photo')
@Index('idx_feedback_photo_sha256', ['sha256'])
@Index('idx_feedback_photo_case', ['caseId'])
@Index('idx_feedback_photo_member', ['memberId', 'caseId'])
export class FeedbackPhoto {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'case_id', type: 'int', nullable: true })
  caseId!: number | null;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 32 })
  contentType!: string;

  @Column({ type: 'blob' })
  bytes!: Buffer;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/**
 * Goodwill given to one member, and admins' manual points adjustments: who gave what, why. (staff, key) is
 * unique, so a retried request finds the grant it made; case_id is unique, so a case gets one goodwill at most.
 * A points grant's ledger line has source key `goodwill:<id>` (or `adjust:<id>`) and the same points.
 */
@Entity('goodwill_grant')
@Index('uq_goodwill_grant_key', ['staffId', 'idempotencyKey'], { unique: true })
@Index('uq_goodwill_grant_case', ['caseId'], { unique: true })
@Index('idx_goodwill_grant_member', ['memberId', 'id'])
@Index('idx_goodwill_grant_created', ['createdAt'])
export class GoodwillGrant {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'case_id', type: 'int', nullable: true })
  caseId!: number | null;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: GoodwillKind;

  /** Points given (negative for an adjustment that takes points); 0 for a coupon. */
  @Column({ type: 'int' })
  points!: number;

  @Column({ name: 'coupon_id', type: 'int', nullable: true })
  couponId!: number | null;

  @Column({ name: 'template_id', type: 'int', nullable: true })
  templateId!: number | null;

  @Column({ name: 'face_fen', type: 'int' })
  faceFen!: number;

  @Column({ type: 'varchar', length: 200 })
  reason!: string;

  @Column({ name: 'staff_id', type: 'int' })
  staffId!: number;

  @Column({ name: 'staff_role', type: 'varchar', length: 16 })
  staffRole!: StaffRole;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 64 })
  idempotencyKey!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
