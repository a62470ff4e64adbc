import type { AppConfig } from '@member/config';
import { applyDecorators, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/**
 * How a declared job shares its periods among server instances.
 * - `once-per-period` (default): the first instance to insert (job, period) into job_run runs it, the others
 *   skip (JobRunner.runOnce). With `takeOverAfterSeconds`, a run of the period that never finished (its instance
 *   died) is taken over by one instance, for jobs that resume from their own checkpoints.
 * - `every-instance`: every instance runs each tick; the job shares the work itself (SKIP LOCKED, per-row
 *   checkpoints), so more instances mean more throughput, not duplicates.
 */
export type JobTakeOver = 'once-per-period' | 'every-instance';

export interface JobDeclaration {
  /** Stable name: job_run.job, logs, and POST /api/test/jobs/:name in test mode. */
  name: string;
  /**
   * Runs every this many seconds, read from config (so an instance can switch a job off: 0 or less schedules
   * nothing there, e.g. MESSAGE_SENDER_EVERY_SECONDS=0). The period is the wall-clock slot of that length.
   */
  every?: (config: AppConfig) => number;
  /**
   * Runs once per business day from this local time ("HH:MM" in config.businessCalendar.timeZone) on; the period
   * is the local date. Checked every `checkEverySeconds` (default 60).
   */
  dailyAt?: (config: AppConfig) => string;
  checkEverySeconds?: number;
  takeOver?: JobTakeOver;
  /** once-per-period only: a run unfinished this long after it started is presumed dead and taken over. */
  takeOverAfterSeconds?: number;
  /**
   * false: no timer in test mode, where tests move the clock wherever they like and run the job themselves
   * (JobScheduler.runScheduled / runNow, or POST /api/test/jobs/:name).
   */
  timerInTestMode?: boolean;
}

/** What a declared job class implements: the work, and optionally how a result reads in job_run.outcome. */
export interface DeclaredJob<T = unknown> {
  /** Does the work as of `now`. Must be idempotent: a period may be run again (take-over, test trigger). */
  run(now: Date): Promise<T>;
  /** One line for job_run.outcome and the log (cut to 200 characters); JSON of the result when absent. */
  outcome?(result: T): string;
}

/** The discoverable metadata; use `@ScheduledJob`, which also makes the class injectable. */
export const JobMetadata = DiscoveryService.createDecorator<JobDeclaration>();

/**
 * Declares a job: the jobs module finds every provider carrying it, owns its timer, its periods, the claim that
 * lets one instance run a period, shutdown, and the test-mode trigger. The class only does the work (`run`).
 * Provide the class in its own module, as any other provider.
 */
export function ScheduledJob(declaration: JobDeclaration): ClassDecorator {
  if ((declaration.every === undefined) === (declaration.dailyAt === undefined))
    throw new Error(`job ${declaration.name}: declare exactly one of every or dailyAt`);
  if (declaration.takeOverAfterSeconds !== undefined && declaration.takeOver === 'every-instance')
    throw new Error(`job ${declaration.name}: takeOverAfterSeconds needs once-per-period`);
  return applyDecorators(Injectable(), JobMetadata(declaration));
}
