import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { ExactIdempotencyKeys17639000001100 } from './migrations/17639000001100-ExactIdempotencyKeys';
import { ExactStoreCodes17639000001400 } from './migrations/17639000001400-ExactStoreCodes';

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

/** The columns of this database that `where` picks: each one's collation, type and whether it takes NULL. */
async function columnsWhere(db: TestDatabase, where: string, params: unknown[]): Promise<KeyColumn[]> {
  const rows = (await db.dataSource.query(
    `SELECT TABLE_NAME AS \`table\`, COLUMN_NAME AS \`column\`, COLLATION_NAME AS collation, COLUMN_TYPE AS type,
            IS_NULLABLE AS nullable
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND (${where})
      ORDER BY TABLE_NAME, COLUMN_NAME`,
    params,
  )) as KeyColumn[];
  return rows.map((r) => ({ table: r.table, column: r.column, collation: r.collation, type: r.type, nullable: r.nullable }));
}

/** Every key column in this database. */
const keyColumns = (db: TestDatabase) =>
  columnsWhere(db, `COLUMN_NAME IN (${KEY_COLUMN_NAMES.map(() => '?').join(', ')})`, KEY_COLUMN_NAMES);

/** Every column holding a store's code: the store table's own and every store_code. */
const storeCodeColumns = (db: TestDatabase) =>
  columnsWhere(db, "COLUMN_NAME = 'store_code' OR (TABLE_NAME = 'store' AND COLUMN_NAME = 'code')", []);

/** MODIFY restates the whole column: each still has the length and takes NULL exactly where its entity says. */
function expectAsDeclared(db: TestDatabase, columns: KeyColumn[]): void {
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
    expectAsDeclared(db, columns);
  });

  it('every store code compares exactly (utf8mb4_bin), as on SQLite: `s001` is not S001 to any filter', async () => {
    const columns = await storeCodeColumns(db);
    expect(columns.map((c) => `${c.table}.${c.column}`)).toEqual(
      expect.arrayContaining([
        'store.code',
        'staff_store.store_code',
        'purchase.store_code',
        'pay_order.store_code',
        'coupon_redemption.store_code',
        'feedback_case.store_code',
        'metric_day.store_code',
        'audit_log.store_code',
      ]),
    );
    expect(columns.filter((c) => c.collation !== 'utf8mb4_bin')).toEqual([]);
    expectAsDeclared(db, columns);
    await db.dataSource.query(
      "INSERT INTO store (code, name, status, created_at, updated_at) VALUES ('CL-S1', '列限店', 'active', UTC_TIMESTAMP(), UTC_TIMESTAMP())",
    );
    const count = async (code: string) =>
      Number(((await db.dataSource.query('SELECT COUNT(*) AS n FROM store WHERE code = ?', [code])) as Array<{ n: string }>)[0].n);
    expect([await count('CL-S1'), await count('cl-s1')]).toEqual([1, 0]);
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

  it("the store codes' migration goes back and forward again: types, NULL and staff_store's key to store kept", async () => {
    const before = await storeCodeColumns(db);
    const foreignKeys = async () =>
      (await db.dataSource.query(
        `SELECT COLUMN_NAME AS \`column\`, REFERENCED_TABLE_NAME AS referenced, REFERENCED_COLUMN_NAME AS referencedColumn
           FROM information_schema.KEY_COLUMN_USAGE
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'staff_store' AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY COLUMN_NAME`,
      )) as unknown[];
    const keysBefore = await foreignKeys();
    expect(keysBefore).toContainEqual({ column: 'store_code', referenced: 'store', referencedColumn: 'code' });
    const migration = new ExactStoreCodes17639000001400();
    const runner = db.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(new Set((await storeCodeColumns(db)).map((c) => c.collation))).toEqual(new Set(['utf8mb4_unicode_ci']));
      expect(await foreignKeys()).toEqual(keysBefore);
      await migration.up(runner);
      expect(await storeCodeColumns(db)).toEqual(before);
      expect(await foreignKeys()).toEqual(keysBefore);
    } finally {
      await runner.release();
    }
  });
});
