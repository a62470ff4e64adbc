import type { AppConfig } from '@member/config';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DateTime } from 'luxon';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { JobMetadata, type DeclaredJob, type JobDeclaration } from './job.decorator';
import { JobRunner } from './job-runner';

/** How long shutdown waits for timer-started runs to finish before the database closes under them. */
const SHUTDOWN_GRACE_MS = 10_000;
const DEFAULT_DAILY_CHECK_SECONDS = 60;

interface Registered {
  declaration: JobDeclaration;
  job: DeclaredJob;
  /** The last period this instance saw finished (by it or another instance): later ticks of it do nothing. */
  finishedPeriod: string | null;
  /** The timer-started run in flight: the next tick does not overlap it, and shutdown waits for it. */
  inFlight: Promise<unknown> | null;
}

/** What a scheduled run did: null when it was not due, or another instance had the period. */
export interface ScheduledRun<T = unknown> {
  period: string;
  result: T;
}

/**
 * The one owner of job timers. Finds every provider declared with `@ScheduledJob`, starts its timer at
 * bootstrap (config decides the rate; 0 switches a job off on this instance), works out the period, claims it
 * through JobRunner so one instance runs it, never overlaps a job with itself on one instance, and on shutdown
 * stops the timers and waits (briefly) for runs in flight.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobScheduler.name);
  private readonly jobs = new Map<string, Registered>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly runner: JobRunner,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: JobMetadata.KEY })) {
      const declaration = this.discovery.getMetadataByDecorator(JobMetadata, wrapper);
      if (!declaration || !wrapper.isDependencyTreeStatic() || !wrapper.instance) continue;
      const job = wrapper.instance as DeclaredJob;
      if (typeof job.run !== 'function') throw new Error(`job ${declaration.name} (${wrapper.name}) has no run(now) method`);
      const known = this.jobs.get(declaration.name);
      if (known) {
        // The same class provided by two modules would run twice per tick on every instance.
        if (known.job === job) continue;
        throw new Error(`job ${declaration.name} is declared twice (${wrapper.name}): provide a job in one module only`);
      }
      this.jobs.set(declaration.name, { declaration, job, finishedPeriod: null, inFlight: null });
    }
    for (const registered of this.jobs.values()) this.startTimer(registered);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    const running = [...this.jobs.values()].filter((r) => r.inFlight).map((r) => ({ name: r.declaration.name, done: r.inFlight! }));
    if (running.length === 0) return;
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timeout = setTimeout(() => resolve('late'), SHUTDOWN_GRACE_MS);
    });
    const outcome = await Promise.race([Promise.allSettled(running.map((r) => r.done)), late]);
    clearTimeout(timeout);
    // Not lost: each job resumes from its own checkpoints, and a once-per-period run is taken over or rerun.
    if (outcome === 'late') this.logger.warn({ jobs: running.map((r) => r.name) }, 'shutting down with jobs still running');
  }

  /** The declared job names, for the test-mode trigger and operators. */
  names(): string[] {
    return [...this.jobs.keys()].sort();
  }

  /**
   * Runs a job as its timer would now: nothing before its daily time, nothing when another instance has (or had)
   * the period. Answers the period and the job's result when this call ran it.
   */
  async runScheduled<T = unknown>(name: string): Promise<ScheduledRun<T> | null> {
    const registered = this.get(name);
    const { declaration, job } = registered;
    const now = this.clock.now();
    const period = this.periodOf(declaration, now);
    if (period === null || registered.finishedPeriod === period) return null;
    if (declaration.takeOver === 'every-instance') return { period, result: (await job.run(now)) as T };
    let result: { value: T } | null = null;
    const outcome = await this.runner.runOnce(
      name,
      period,
      async () => {
        const value = (await job.run(now)) as T;
        result = { value };
        return job.outcome ? job.outcome(value) : JSON.stringify(value ?? null);
      },
      { takeOverAfterSeconds: declaration.takeOverAfterSeconds },
    );
    if (outcome !== null || (await this.runner.isFinished(name, period))) registered.finishedPeriod = period;
    return result === null ? null : { period, result: (result as { value: T }).value };
  }

  /** Runs a job's work now, without claiming a period (test mode, tools): jobs are idempotent, so this is safe. */
  runNow<T = unknown>(name: string): Promise<T> {
    return this.get(name).job.run(this.clock.now()) as Promise<T>;
  }

  /** The period `now` falls in, or null when a daily job is not yet due today. */
  private periodOf(declaration: JobDeclaration, now: Date): string | null {
    if (declaration.dailyAt) {
      const local = DateTime.fromJSDate(now, { zone: this.config.businessCalendar.timeZone });
      if (local.toFormat('HH:mm') < declaration.dailyAt(this.config)) return null;
      return local.toISODate() as string;
    }
    return JobRunner.periodOf(now, Math.max(declaration.every!(this.config), 1));
  }

  private get(name: string): Registered {
    const registered = this.jobs.get(name);
    if (!registered) throw new DomainError('NOT_FOUND');
    return registered;
  }

  private startTimer(registered: Registered): void {
    const { declaration } = registered;
    if (this.config.env === 'test' && declaration.timerInTestMode === false) return;
    const seconds = declaration.dailyAt ? (declaration.checkEverySeconds ?? DEFAULT_DAILY_CHECK_SECONDS) : declaration.every!(this.config);
    if (!(seconds > 0)) return;
    const timer = setInterval(() => this.tick(registered), seconds * 1000);
    // A job timer never keeps the process alive on its own.
    timer.unref();
    this.timers.push(timer);
  }

  private tick(registered: Registered): void {
    if (this.stopping || registered.inFlight) return;
    const name = registered.declaration.name;
    registered.inFlight = this.runScheduled(name)
      .catch((error: unknown) => this.logger.error({ err: error, job: name }, 'scheduled job failed'))
      .finally(() => {
        registered.inFlight = null;
      });
  }
}
