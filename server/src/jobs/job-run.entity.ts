import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A scheduled job's claim on one period ("coupon-expiry", "2026-11-23T10:05"): the unique key lets exactly
 * one of N server instances run each period.
 */
@Entity('job_run')
@Index('uq_job_run', ['job', 'period'], { unique: true })
export class JobRun {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  job!: string;

  @Column({ type: 'varchar', length: 32 })
  period!: string;

  @Column({ name: 'started_at', type: 'datetime' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'datetime', nullable: true })
  finishedAt!: Date | null;

  /** What the run did, for operators (e.g. "expired 1200 coupons"). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  outcome!: string | null;
}
