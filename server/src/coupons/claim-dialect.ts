import type { DataSource, EntityManager } from 'typeorm';

/**
 * Where MySQL, MariaDB and SQLite differ on the coupon-writing paths. How a multi-row INSERT tells us its ids:
 * MariaDB answers them with `INSERT … RETURNING`; MySQL 8 (and TiDB) have no RETURNING, and trusting
 * `insertId + i` would depend on the auto-increment lock mode, so there CouponIssuer.issueMany reads the rows
 * back by their unique codes in the same transaction (SQLite, the embedded demo, reads back too). And how to
 * look up many (member, idempotency key) pairs at once.
 */
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
