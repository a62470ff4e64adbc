import { ManualClock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { DbThrottlerStorage } from './db-throttler.storage';

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
});
