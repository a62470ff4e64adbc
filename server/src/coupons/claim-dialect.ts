import type { DataSource, EntityManager } from 'typeorm';

/**
 * The one difference between databases on the flash-claim path: how a multi-row INSERT of coupons tells us
 * their ids. MariaDB answers them with `INSERT … RETURNING`; MySQL 8 (and TiDB) have no RETURNING, and
 * trusting `insertId + i` would depend on the auto-increment lock mode, so there the rows are read back by
 * their unique codes in the same transaction. SQLite (the embedded demo) reads back too: it is one writer.
 */
export interface InsertedCoupon {
  id: number;
  code: string;
}

const returningSupport = new WeakMap<DataSource, Promise<boolean>>();

/** Whether this database answers `INSERT … RETURNING` (asked once per DataSource: MariaDB says so in VERSION()). */
export function supportsReturning(dataSource: DataSource): Promise<boolean> {
  let known = returningSupport.get(dataSource);
  if (!known) {
    known =
      dataSource.options.type === 'mysql'
        ? dataSource
            .query('SELECT VERSION() AS version')
            .then((rows: Array<{ version: string }>) => /mariadb/i.test(String(rows[0]?.version ?? '')))
        : Promise.resolve(false);
    returningSupport.set(dataSource, known);
  }
  return known;
}

/** Tests: take the MySQL 8 path (read back by code) on MariaDB, to prove both give the same answers. */
export function forceReadBack(dataSource: DataSource, readBack: boolean): void {
  returningSupport.set(dataSource, Promise.resolve(!readBack));
}

/**
 * `INSERT INTO coupon (columns) VALUES (…), (…)` in the caller's transaction; answers each row's id and code.
 * `rows` are the values in `columns` order; `codeIndex` is where the code is among them.
 */
export async function insertCouponsReturningIds(
  em: EntityManager,
  columns: string[],
  rows: unknown[][],
  codeIndex: number,
): Promise<InsertedCoupon[]> {
  if (rows.length === 0) return [];
  const runner = em.queryRunner!;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO coupon (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
  const parameters = rows.flat();
  if (await supportsReturning(em.connection)) {
    const returned: Array<{ id: number | string; code: string }> = await runner.query(`${sql} RETURNING id, code`, parameters);
    return returned.map((row) => ({ id: Number(row.id), code: String(row.code) }));
  }
  await runner.query(sql, parameters);
  const codes = rows.map((row) => row[codeIndex]);
  const read: Array<{ id: number | string; code: string }> = await runner.query(
    `SELECT id, code FROM coupon WHERE code IN (${codes.map(() => '?').join(', ')})`,
    codes,
  );
  return read.map((row) => ({ id: Number(row.id), code: String(row.code) }));
}

/**
 * `WHERE` for "the coupon of any of these (member, idempotency key) pairs", with 2 × `count` parameters. MySQL
 * and MariaDB turn a row-constructor IN into one index range per pair on uq_coupon_idempotency (two plain IN
 * lists would make the cross product of ranges); SQLite takes a row-value IN only from a subquery, so there it
 * is an OR of pairs, which its OR-optimisation looks up one by one in the same index.
 */
export function memberKeyPairsIn(em: Pick<EntityManager, 'connection'>, count: number): string {
  if (em.connection.options.type === 'mysql')
    return `(member_id, idempotency_key) IN (${Array.from({ length: count }, () => '(?, ?)').join(', ')})`;
  return Array.from({ length: count }, () => '(member_id = ? AND idempotency_key = ?)').join(' OR ');
}
