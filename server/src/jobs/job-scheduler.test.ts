import type { AppConfig } from '@member/config';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ManualClock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { CoreModule } from '../core.module';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { testConfig } from '../testing/test-app';
import { JobRun } from './job-run.entity';
import { ScheduledJob, type DeclaredJob } from './job.decorator';
import { JobScheduler } from './job-scheduler';
import { JobsModule } from './jobs.module';

/** Work done by the fake jobs, shared by every app of a test (as the database is). */
const done: Array<{ job: string; at: string }> = [];
let sweepMs = 0;

@ScheduledJob({ name: 'test-sweep', every: (config) => (config.env === 'test' ? Number(process.env.TEST_SWEEP_EVERY ?? 0) : 0) })
class SweepJob implements DeclaredJob<number> {
  async run(now: Date): Promise<number> {
    if (sweepMs) await new Promise((resolve) => setTimeout(resolve, sweepMs));
    done.push({ job: 'test-sweep', at: now.toISOString() });
    return 3;
  }
  outcome(swept: number): string {
    return `swept ${swept}`;
  }
}

@ScheduledJob({ name: 'test-daily', dailyAt: () => '10:00', takeOverAfterSeconds: 600, timerInTestMode: false, checkEverySeconds: 1 })
class DailyJob implements DeclaredJob<{ day: string }> {
  async run(now: Date): Promise<{ day: string }> {
    done.push({ job: 'test-daily', at: now.toISOString() });
    return { day: now.toISOString().slice(0, 10) };
  }
}

@ScheduledJob({ name: 'test-sender', every: () => 0, takeOver: 'every-instance' })
class SenderJob implements DeclaredJob {
  async run(now: Date): Promise<string> {
    done.push({ job: 'test-sender', at: now.toISOString() });
    return 'sent';
  }
}

@Module({ providers: [SweepJob, DailyJob] })
class FeatureModule {}

@Module({ providers: [SenderJob] })
class OtherFeatureModule {}

async function start(
  db: TestDatabase,
  clock: ManualClock,
  config: AppConfig = testConfig(),
  extra: Array<new () => unknown> = [],
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [CoreModule.forRoot({ config, clock, dataSource: db.dataSource }), JobsModule, FeatureModule, OtherFeatureModule],
    providers: extra,
  }).compile();
  return moduleRef.init();
}

describe.each(TEST_DATABASES)('declared jobs on %s', (kind) => {
  let db: TestDatabase;
  let clock: ManualClock;
  let apps: INestApplicationContext[];
  const app = async (config?: AppConfig) => {
    const started = await start(db, clock, config);
    apps.push(started);
    return started;
  };
  /**
   * Two server instances on one database: on MariaDB each with its own DataSource (its own pool, as two
   * processes have); the embedded sql.js database belongs to one process, so there the "second instance" is
   * the same app called concurrently.
   */
  const twoInstances = async (): Promise<[INestApplicationContext, INestApplicationContext]> => {
    const a = await app();
    if (kind === 'sqlite') return [a, a];
    const dataSource = await openDatabase(dataSourceOptions({ url: db.url, sqlitePath: '', poolSize: 5 }));
    const b = await start({ ...db, dataSource }, clock);
    apps.push(b);
    return [a, b];
  };

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    clock = new ManualClock(new Date('2026-11-23T01:59:00Z')); // 09:59 in Shanghai
    apps = [];
    done.length = 0;
    sweepMs = 0;
    delete process.env.TEST_SWEEP_EVERY;
  });
  afterEach(async () => {
    // Closing an app destroys its DataSource (TypeORM's module does): the shared one goes with the first.
    for (const a of apps.reverse()) await a.close().catch(() => undefined);
    await db.drop().catch(() => undefined);
  });

  it('finds the jobs of every module and runs each on demand, without a period claim', async () => {
    const a = await app();
    const scheduler = a.get(JobScheduler);
    expect(scheduler.names()).toEqual(['test-daily', 'test-sender', 'test-sweep']);
    expect(await scheduler.runNow('test-sweep')).toBe(3);
    expect(await scheduler.runNow('test-sweep')).toBe(3);
    expect(await db.dataSource.getRepository(JobRun).count()).toBe(0);
    expect(() => scheduler.runNow('nope')).toThrow(DomainError);
  });

  it('runs a period once across instances, records the outcome, and runs the next period', async () => {
    process.env.TEST_SWEEP_EVERY = '300';
    const [a, b] = await twoInstances();
    const runs = await Promise.all([
      a.get(JobScheduler).runScheduled('test-sweep'),
      b.get(JobScheduler).runScheduled('test-sweep'),
      a.get(JobScheduler).runScheduled('test-sweep'),
    ]);
    expect(runs.filter((r) => r !== null)).toEqual([{ period: '2026-11-23T01:55:00', result: 3 }]);
    expect(done).toHaveLength(1);
    const [row] = await db.dataSource.getRepository(JobRun).findBy({ job: 'test-sweep' });
    expect(row).toMatchObject({ period: '2026-11-23T01:55:00', outcome: 'swept 3' });
    expect(row.finishedAt).not.toBeNull();
    clock.advance(60); // 02:00: the next 5-minute period
    expect(await b.get(JobScheduler).runScheduled('test-sweep')).toEqual({ period: '2026-11-23T02:00:00', result: 3 });
  });

  it('runs a daily job from its local time on, once per business day, and takes over a run that died', async () => {
    const [a, b] = await twoInstances();
    expect(await a.get(JobScheduler).runScheduled('test-daily')).toBeNull(); // 09:59 local
    clock.set('2026-11-23T02:00:00Z'); // 10:00 local
    const runs = await Promise.all([a.get(JobScheduler).runScheduled('test-daily'), b.get(JobScheduler).runScheduled('test-daily')]);
    expect(runs.filter((r) => r !== null)).toEqual([{ period: '2026-11-23', result: { day: '2026-11-23' } }]);
    expect((await db.dataSource.getRepository(JobRun).findOneByOrFail({ job: 'test-daily' })).outcome).toBe('{"day":"2026-11-23"}');
    // A run that started and never finished (its instance died) is taken over after takeOverAfterSeconds.
    await db.dataSource
      .getRepository(JobRun)
      .insert({ job: 'test-daily', period: '2026-11-24', startedAt: new Date('2026-11-24T02:00:00Z') });
    clock.set('2026-11-24T02:05:00Z');
    expect(await a.get(JobScheduler).runScheduled('test-daily')).toBeNull();
    clock.set('2026-11-24T02:10:01Z');
    expect(await b.get(JobScheduler).runScheduled('test-daily')).toEqual({ period: '2026-11-24', result: { day: '2026-11-24' } });
    expect(await a.get(JobScheduler).runScheduled('test-daily')).toBeNull();
  });

  it('runs an every-instance job on each instance, with no claim', async () => {
    const [a, b] = await twoInstances();
    await Promise.all([a.get(JobScheduler).runScheduled('test-sender'), b.get(JobScheduler).runScheduled('test-sender')]);
    expect(done.filter((d) => d.job === 'test-sender')).toHaveLength(2);
    expect(await db.dataSource.getRepository(JobRun).count()).toBe(0);
  });

  it('ticks on its timer as config says, never overlapping itself, and shutdown waits for the run in flight', async () => {
    process.env.TEST_SWEEP_EVERY = '1';
    sweepMs = 1500; // longer than the period: the next tick must not start a second run meanwhile
    const a = await app();
    await new Promise((resolve) => setTimeout(resolve, 2300));
    expect(done).toHaveLength(0);
    await a.close();
    apps = [];
    expect(done.map((d) => d.job)).toEqual(['test-sweep']);
    // The daily job has no timer in test mode, the sender is switched off (0), so nothing else ran.
  });

  it('refuses to start when two providers declare the same job name', async () => {
    @ScheduledJob({ name: 'test-sweep', every: () => 60 })
    class Twin implements DeclaredJob {
      async run(): Promise<string> {
        return 'twin';
      }
    }
    await expect(start(db, clock, testConfig(), [Twin])).rejects.toThrow('job test-sweep is declared twice');
  });

  it('refuses a declaration with neither or both of every and dailyAt', () => {
    expect(() => ScheduledJob({ name: 'x' })).toThrow('exactly one of every or dailyAt');
    expect(() => ScheduledJob({ name: 'x', every: () => 1, dailyAt: () => '10:00' })).toThrow('exactly one of every or dailyAt');
  });
});
