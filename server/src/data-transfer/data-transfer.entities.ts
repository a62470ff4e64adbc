import type { ExportFormat, ExportRunStatus, ImportJobStatus, ImportRowStatus } from '@member/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** How far one streamed export got: written as pages leave, read by the console's progress poll on any instance. */
@Entity('export_run')
export class ExportRun {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** Chosen by the console (a UUID) so it can poll before the first byte arrives. */
  @Index('uq_export_run_key', { unique: true })
  @Column({ name: 'run_key', type: 'varchar', length: 36 })
  runKey!: string;

  @Column({ name: 'staff_id', type: 'int' })
  staffId!: number;

  @Column({ type: 'varchar', length: 32 })
  source!: string;

  @Column({ type: 'varchar', length: 8 })
  format!: ExportFormat;

  @Column({ type: 'varchar', length: 16 })
  status!: ExportRunStatus;

  @Column({ name: 'rows_total', type: 'int' })
  rowsTotal!: number;

  @Column({ name: 'rows_done', type: 'int', default: 0 })
  rowsDone!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'datetime', nullable: true })
  finishedAt!: Date | null;
}

/** One uploaded member file: its dry-run counts, and how far the import has committed. */
@Entity('import_job')
export class ImportJob {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'staff_id', type: 'int' })
  staffId!: number;

  @Column({ name: 'file_name', type: 'varchar', length: 200 })
  fileName!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ImportJobStatus;

  @Column({ name: 'rows_total', type: 'int' })
  rowsTotal!: number;

  @Column({ name: 'rows_valid', type: 'int' })
  rowsValid!: number;

  @Column({ name: 'rows_invalid', type: 'int' })
  rowsInvalid!: number;

  @Column({ name: 'rows_existing', type: 'int' })
  rowsExisting!: number;

  @Column({ name: 'rows_imported', type: 'int', default: 0 })
  rowsImported!: number;

  /** The last file row whose chunk has committed: moved in the same transaction as the chunk's members. */
  @Column({ name: 'cursor_row', type: 'int', default: 0 })
  cursorRow!: number;

  /** A worker holds the import until then (renewed per chunk); past it, anyone may resume. */
  @Column({ name: 'locked_until', type: 'datetime', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'datetime', nullable: true })
  finishedAt!: Date | null;
}

/** One row of an import file, as read and judged by the dry run. The phone is kept only sealed and hashed. */
@Entity('import_row')
@Index('uq_import_row', ['jobId', 'rowNo'], { unique: true })
export class ImportRow {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'job_id', type: 'int' })
  jobId!: number;

  /** The file's row number (the header is row 1), as a spreadsheet shows it. */
  @Column({ name: 'row_no', type: 'int' })
  rowNo!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: ImportRowStatus;

  /** Comma-separated problem codes (IMPORT_PROBLEMS), null when none. */
  @Column({ type: 'varchar', length: 400, nullable: true })
  problems!: string | null;

  @Column({ name: 'phone_cipher', type: 'varchar', length: 255, nullable: true })
  phoneCipher!: string | null;

  @Column({ name: 'phone_hash', type: 'varchar', length: 64, nullable: true })
  phoneHash!: string | null;

  @Column({ name: 'phone_masked', type: 'varchar', length: 20, nullable: true })
  phoneMasked!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  birthday!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  tier!: string | null;

  @Column({ type: 'int', default: 0 })
  points!: number;

  @Column({ name: 'points_expires_at', type: 'datetime', nullable: true })
  pointsExpiresAt!: Date | null;

  @Column({ name: 'external_id', type: 'varchar', length: 64, nullable: true })
  externalId!: string | null;

  @Column({ name: 'member_id', type: 'int', nullable: true })
  memberId!: number | null;
}
