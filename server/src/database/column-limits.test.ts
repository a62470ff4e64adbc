import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { ExactIdempotencyKeys17639000001100 } from './migrations/17639000001100-ExactIdempotencyKeys';

const onMariadb = TEST_DATABASES.includes('mariadb') ? describe : describe.skip;

interface KeyColumn {
  table: string;
  column: string;
  collation: string;
  type: string;
  nullable: string;
}

/** The key columns: every idempotency_key, the refund numbers and the outbox's dedupe key. */
const KEY_COLUMN_NAMES = ['idempotency_key', 'refund_no', 'out_refund_no', 'dedupe_key'];

/** Every key column in this database: its collation, type and whether it takes NULL. */
async function keyColumns(db: TestDatabase): Promise<KeyColumn[]> {
  const rows = (await db.dataSource.query(
    `SELECT TABLE_NAME AS \`table\`, COLUMN_NAME AS \`column\`, COLLATION_NAME AS collation, COLUMN_TYPE AS type,
            IS_NULLABLE AS nullable
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN (${KEY_COLUMN_NAMES.map(() => '?').join(', ')})
      ORDER BY TABLE_NAME, COLUMN_NAME`,
    KEY_COLUMN_NAMES,
  )) as KeyColumn[];
  return rows.map((r) => ({ table: r.table, column: r.column, collation: r.collation, type: r.type, nullable: r.nullable }));
}

/**
 * Columns that hold what requests add up to or say, on MariaDB (SQLite's TEXT and INTEGER hold anything).
 *
 * A client's idempotency key is compared exactly on MySQL and MariaDB, as on the embedded SQLite and in the code
 * (migration ExactIdempotencyKeys): two keys differing only in case are two requests. The tables' own collation
 * (utf8mb4_unicode_ci) would make them one to a unique index and two to the code, which failed whole flash-claim
 * flushes (claim-combining.test.ts). Read from information_schema, so a table added later with such a column is
 * held to it too.
 */
onMariadb('column limits on mariadb', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('mariadb', 2);
  });
  afterAll(() => db?.drop());

  it('every key column compares exactly (utf8mb4_bin): idempotency keys, refund numbers, the outbox dedupe key', async () => {
    const columns = await keyColumns(db);
    expect(columns.map((c) => `${c.table}.${c.column}`)).toEqual(
      expect.arrayContaining([
        'campaign.idempotency_key',
        'coupon.idempotency_key',
        'coupon_redemption.idempotency_key',
        'feedback_case.idempotency_key',
        'pay_order.idempotency_key',
        'purchase.idempotency_key',
        'purchase_refund.refund_no',
        'pay_refund.out_refund_no',
        'message_outbox.dedupe_key',
      ]),
    );
    expect(columns.filter((c) => c.collation !== 'utf8mb4_bin')).toEqual([]);
    // MODIFY restates the whole column: each still takes NULL exactly where its entity says it may.
    for (const column of columns) {
      const entity = db.dataSource.entityMetadatas.find((m) => m.tableName === column.table);
      const declared = entity?.findColumnWithDatabaseName(column.column);
      expect(declared).toBeDefined();
      expect({ table: column.table, type: column.type, nullable: column.nullable }).toEqual({
        table: column.table,
        type: `varchar(${declared?.length})`,
        nullable: declared?.isNullable ? 'YES' : 'NO',
      });
    }
  });

  it('running totals of points given pass INT (a campaign run, a purchase rule): BIGINT', async () => {
    const types = (await db.dataSource.query(
      `SELECT TABLE_NAME AS \`table\`, DATA_TYPE AS type FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'points_granted' ORDER BY TABLE_NAME`,
    )) as Array<{ table: string; type: string }>;
    expect(types.map((c) => [c.table, c.type])).toEqual([
      ['campaign_run', 'bigint'],
      ['purchase_rule', 'bigint'],
    ]);
    // What the rule's budget UPDATE does to a total near INT's end (this suite's own database: nothing to undo).
    await db.dataSource.query(
      `INSERT INTO purchase_rule (name, status, stores, channel, points, max_grants, points_granted, created_by, created_at, updated_at)
       VALUES ('near INT', 'active', '', 'any', 100000, 100000000, 2147400000, 'test', UTC_TIMESTAMP(), UTC_TIMESTAMP())`,
    );
    await db.dataSource.query("UPDATE purchase_rule SET points_granted = points_granted + 100000 WHERE name = 'near INT'");
    const [row] = (await db.dataSource.query("SELECT points_granted AS total FROM purchase_rule WHERE name = 'near INT'")) as Array<{
      total: string;
    }>;
    expect(Number(row.total)).toBe(2_147_500_000);
  });

  it("the migration goes back to the tables' collation and forward again, each column's type and NULL kept", async () => {
    const before = await keyColumns(db);
    const migration = new ExactIdempotencyKeys17639000001100();
    const runner = db.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(new Set((await keyColumns(db)).map((c) => c.collation))).toEqual(new Set(['utf8mb4_unicode_ci']));
      await migration.up(runner);
      expect(await keyColumns(db)).toEqual(before);
    } finally {
      await runner.release();
    }
  });
});
