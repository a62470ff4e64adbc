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

  /**
   * Returns the job's outcome, or null when another instance already took this period. With
   * `takeOverAfterSeconds`, a run of this period that started that long ago and never finished (its instance
   * crashed or was stopped) is taken over by exactly one caller: for jobs that resume from their own
   * checkpoints and must not wait for the next period (a day's birthdays cannot wait for tomorrow).
   */
  async runOnce(
    job: string,
    period: string,
    work: () => Promise<string>,
    options: { takeOverAfterSeconds?: number } = {},
  ): Promise<string | null> {
    let runId: number | null;
    try {
      runId = await this.transactions.run(
        async (em) => (await em.insert(JobRun, { job, period, startedAt: this.clock.now() })).identifiers[0].id as number,
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      runId = options.takeOverAfterSeconds === undefined ? null : await this.takeOverStaleRun(job, period, options.takeOverAfterSeconds);
      if (runId === null) return null;
      this.logger.warn({ job, period, runId }, 'took over a run that never finished');
    }
    const outcome = await work();
    await this.transactions.run((em) => em.update(JobRun, { id: runId }, { finishedAt: this.clock.now(), outcome: outcome.slice(0, 200) }));
    this.logger.log({ job, period, outcome }, 'job finished');
    return outcome;
  }

  /** Whether some instance finished this period's run. */
  async isFinished(job: string, period: string): Promise<boolean> {
    const run = await this.dataSource.getRepository(JobRun).findOneBy({ job, period });
    return run !== null && run.finishedAt !== null;
  }

  /**
   * Restarts the clock of an unfinished run older than `afterSeconds`. A conditional UPDATE: of several
   * instances trying at once, the first moves `started_at` forward and the others no longer match.
   */
  private async takeOverStaleRun(job: string, period: string, afterSeconds: number): Promise<number | null> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - afterSeconds * 1000);
    const taken = await this.transactions.run((em) =>
      em
        .createQueryBuilder()
        .update(JobRun)
        .set({ startedAt: now })
        .where('job = :job AND period = :period AND finished_at IS NULL AND started_at < :staleBefore', { job, period, staleBefore })
        .execute(),
    );
    if (taken.affected !== 1) return null;
    return (await this.dataSource.getRepository(JobRun).findOneByOrFail({ job, period })).id;
  }

  /** "2026-11-23T10:05": the period of `now` for a job that runs every `everySeconds`. */
  static periodOf(now: Date, everySeconds: number): string {
    const start = Math.floor(now.getTime() / (everySeconds * 1000)) * everySeconds * 1000;
    return new Date(start).toISOString().slice(0, 19);
  }
}
