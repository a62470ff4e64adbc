import { Member } from '../members/member.entity';
import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { isUniqueViolation, TransactionRunner } from './transaction-runner';

describe.each(TEST_DATABASES)('database layer on %s', (kind) => {
  let db: TestDatabase;
  let runner: TransactionRunner;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    runner = new TransactionRunner(db.dataSource);
  });
  afterAll(() => db?.drop());

  it('applies the migrations and stores UTC times', async () => {
    const saved = await runner.run((em) => em.save(em.create(Member, { openid: `o-${kind}-1` })));
    const loaded = await db.dataSource.getRepository(Member).findOneByOrFail({ id: saved.id });
    expect(loaded.tier).toBe('normal');
    expect(loaded.lifecycleStatus).toBe('new');
    expect(Math.abs(loaded.createdAt.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('keeps concurrent transactions apart: each commits or rolls back on its own', async () => {
    const attempts = Array.from({ length: 20 }, (_, i) =>
      runner.run(async (em) => {
        await em.insert(Member, { openid: `o-${kind}-tx-${i}` });
        if (i % 2 === 1) throw new Error('roll me back');
      }),
    );
    const results = await Promise.allSettled(attempts);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const count = await db.dataSource.getRepository(Member).count();
    expect(count).toBe(1 + 10);
  });

  it('reports a unique violation as such', async () => {
    const error = await runner.run((em) => em.insert(Member, { openid: `o-${kind}-1` })).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });
});
