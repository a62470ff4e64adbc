import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { JobRun } from './job-run.entity';

/**
 * Runs a job at most once per period across every server instance: the first instance to insert
 * (job, period) under the unique key runs it, the others skip. Jobs themselves stay idempotent, so a run
 * that crashed halfway is simply finished by the next period's run.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** Returns the job's outcome, or null when another instance already took this period. */
  async runOnce(job: string, period: string, work: () => Promise<string>): Promise<string | null> {
    let runId: number;
    try {
      runId = await this.transactions.run(async (em) => (await em.insert(JobRun, { job, period, startedAt: this.clock.now() })).identifiers[0].id as number);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
    const outcome = await work();
    await this.transactions.run((em) => em.update(JobRun, { id: runId }, { finishedAt: this.clock.now(), outcome: outcome.slice(0, 200) }));
    this.logger.log({ job, period, outcome }, 'job finished');
    return outcome;
  }

  /** "2026-11-23T10:05": the period of `now` for a job that runs every `everySeconds`. */
  static periodOf(now: Date, everySeconds: number): string {
    const start = Math.floor(now.getTime() / (everySeconds * 1000)) * everySeconds * 1000;
    return new Date(start).toISOString().slice(0, 19);
  }
}
