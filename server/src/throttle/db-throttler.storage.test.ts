import { ManualClock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { DbThrottlerStorage } from './db-throttler.storage';
import { ThrottleSweepJob } from './throttle-sweep.job';

describe.each(TEST_DATABASES)('throttle counters in the database on %s', (kind) => {
  let db: TestDatabase;
  let storage: DbThrottlerStorage;
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    storage = new DbThrottlerStorage(db.dataSource, new TransactionRunner(db.dataSource), clock);
  });
  afterAll(() => db?.drop());

  it('counts hits in a window, blocks past the limit for the block duration, then starts afresh', async () => {
    const hit = () => storage.increment('k1', 60_000, 3, 120_000, 'test');
    expect((await hit()).totalHits).toBe(1);
    await hit();
    expect(await hit()).toEqual({ totalHits: 3, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 120 });
    clock.advance(90);
    // Still blocked after the window: blocked hits are not counted.
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 30 });
    clock.advance(30);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await storage.peek('k1')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await storage.peek('never')).toBeNull();
  });

  it('a window that ends without a block starts a new count', async () => {
    for (let i = 0; i < 3; i++) await storage.increment('k2', 1_000, 5, 1_000, 'test');
    clock.advance(1);
    expect((await storage.increment('k2', 1_000, 5, 1_000, 'test')).totalHits).toBe(1);
  });

  it('counts concurrent hits from many connections exactly (what N instances do)', async () => {
    if (kind === 'sqlite') return; // one connection: nothing runs concurrently
    const results = await Promise.all(Array.from({ length: 40 }, () => storage.increment('k3', 60_000, 25, 60_000, 'test')));
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(25);
    expect(Math.max(...results.map((r) => r.totalHits))).toBe(26);
    expect((await storage.peek('k3'))!.isBlocked).toBe(true);
  });

  it('the sweep deletes only counters whose window and block have both ended, chunk after chunk', async () => {
    const sweep = new ThrottleSweepJob(db.dataSource);
    clock.advance(3600);
    await sweep.sweep(clock.now()); // earlier tests' keys, all ended an hour later
    const keys = Array.from({ length: 1_203 }, (_, i) => `ended-${i}`);
    for (const key of keys) await storage.increment(key, 1_000, 5, 1_000, 'test');
    await storage.increment('live', 600_000, 5, 1_000, 'test');
    for (let i = 0; i < 3; i++) await storage.increment('blocked', 1_000, 1, 900_000, 'test'); // blocked for 15 min
    clock.advance(2);
    expect(await sweep.sweep(clock.now())).toBe(keys.length);
    expect(await storage.peek(keys[0])).toBeNull();
    expect(await storage.peek(keys[keys.length - 1])).toBeNull();
    // A window still open and a block still running are kept: deleting them would forget hits and blocks.
    expect(await storage.peek('live')).toMatchObject({ totalHits: 1 });
    expect(await storage.peek('blocked')).toMatchObject({ isBlocked: true });
    expect(await sweep.sweep(clock.now())).toBe(0);
    clock.advance(900);
    expect(await sweep.sweep(clock.now())).toBe(2);
  });
});
