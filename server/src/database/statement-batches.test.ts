import { createConnection } from 'mysql2/promise';
import { createMysqlDatabase } from '../testing/mysql';
import { StatementBatches } from './statement-batches';

/** The flash-claim flush's batched connections (MySQL only: the embedded SQLite has one connection and no batches). */
describe('StatementBatches on mariadb', () => {
  let db: { url: string; drop(): Promise<void> };
  let batches: StatementBatches;
  beforeAll(async () => {
    db = await createMysqlDatabase();
    const admin = await createConnection(db.url);
    await admin.query(
      'CREATE TABLE stock (id INT PRIMARY KEY, taken INT NOT NULL, total INT NOT NULL, CONSTRAINT within CHECK (taken <= total))',
    );
    await admin.query('INSERT INTO stock VALUES (1, 0, 10)');
    await admin.end();
    // One connection: whatever a transaction leaves behind, the next one on the pool meets it.
    batches = new StatementBatches(db.url, 1);
  });
  afterAll(async () => {
    await batches?.close();
    await db?.drop();
  });

  const taken = () =>
    batches.transaction(
      async (c) => ((await c.send([{ sql: 'SELECT taken FROM stock WHERE id = 1' }]))[0] as Array<{ taken: number }>)[0].taken,
    );

  it('sends several statements in one round trip and answers each result in order', async () => {
    const results = await batches.transaction((c) =>
      c.send([
        { sql: 'START TRANSACTION' },
        { sql: 'SELECT taken FROM stock WHERE id = ? FOR UPDATE', params: [1] },
        { sql: 'UPDATE stock SET taken = taken + ? WHERE id = ?', params: [2, 1] },
        { sql: 'COMMIT' },
      ]),
    );
    expect(results).toHaveLength(4);
    expect((results[1] as Array<{ taken: number }>)[0].taken).toBe(0);
    expect((results[2] as { affectedRows: number }).affectedRows).toBe(1);
    expect(await taken()).toBe(2);
  });

  it('stops a batch at its failing statement: the COMMIT after it never runs and nothing is kept', async () => {
    const error: { errno?: number } = await batches
      .transaction((c) =>
        c.send([
          { sql: 'START TRANSACTION' },
          { sql: 'UPDATE stock SET taken = taken + 1 WHERE id = 1' },
          { sql: 'UPDATE stock SET taken = taken + 100 WHERE id = 1' }, // the CHECK refuses it
          { sql: 'COMMIT' },
        ]),
      )
      .then(
        () => ({}),
        (e: unknown) => e as { errno?: number },
      );
    // MariaDB's ER_CONSTRAINT_FAILED (4025); MySQL 8 says ER_CHECK_CONSTRAINT_VIOLATED (3819).
    expect([4025, 3819]).toContain(error.errno);
    expect(await taken()).toBe(2);
  });

  it('rolls back a transaction its work left open (answered without a COMMIT), so its locks do not go back to the pool', async () => {
    await batches.transaction(async (c) => {
      await c.send([{ sql: 'START TRANSACTION' }, { sql: 'UPDATE stock SET taken = taken + 5 WHERE id = 1' }]);
      return 'nothing to commit';
    });
    expect(await taken()).toBe(2);
    // Another connection can take the row's lock at once (it would wait 1 s and fail if the lock were still held).
    const other = await createConnection(db.url);
    await other.query('SET SESSION innodb_lock_wait_timeout = 1');
    await other.query('START TRANSACTION');
    await expect(other.query('SELECT taken FROM stock WHERE id = 1 FOR UPDATE')).resolves.toBeDefined();
    await other.query('ROLLBACK');
    await other.end();
  });

  it('rolls back when the work throws between batches', async () => {
    await expect(
      batches.transaction(async (c) => {
        await c.send([{ sql: 'START TRANSACTION' }, { sql: 'UPDATE stock SET taken = taken + 5 WHERE id = 1' }]);
        throw new Error('the caller gave up');
      }),
    ).rejects.toThrow('the caller gave up');
    expect(await taken()).toBe(2);
  });
});
