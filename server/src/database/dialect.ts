import type { DataSource, EntityManager, QueryResult } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Where MySQL (MariaDB, TiDB) and the embedded SQLite (sql.js) differ, in one place: locking reads, upserts,
 * date arithmetic, dates as parameters, affected rows and inserted ids, `INSERT … RETURNING`, pair lookups,
 * random codes drawn by the database, statement sizes and index hints. Domain SQL asks this file for a
 * capability instead of testing the driver itself. Plain strings where a statement is built without a
 * connection (benchmarks read those).
 */
export type DialectName = 'mysql' | 'sqlite';

/** The connections' (and so the tables') character set and collation on MySQL and MariaDB. */
export const MYSQL_COLLATION = 'utf8mb4_unicode_ci';
/** The idempotency keys' columns' collation on MySQL and MariaDB: exact, as SQLite and the code compare them. */
export const MYSQL_KEY_COLLATION = 'utf8mb4_bin';

/** Anything that knows its connection: a DataSource, an EntityManager, or a dialect name already known. */
export type DialectSource = Pick<DataSource, 'options'> | Pick<EntityManager, 'connection'> | DialectName;

type Manager = Pick<EntityManager, 'connection'>;

export function dialectName(source: DialectSource): DialectName {
  if (typeof source === 'string') return source;
  const type = 'connection' in source ? source.connection.options.type : source.options.type;
  return type === 'mysql' || type === 'mariadb' ? 'mysql' : 'sqlite';
}

export function isMysql(source: DialectSource): boolean {
  return dialectName(source) === 'mysql';
}

/** The embedded single-writer database: transactions queue, no row locks, one connection. */
export function isEmbedded(source: DialectSource): boolean {
  return dialectName(source) === 'sqlite';
}

/**
 * ` FOR UPDATE` on MySQL: a locking read sees the latest committed row, not the transaction's snapshot (which
 * may predate a change another transaction committed while we waited for the lock). sql.js runs one
 * transaction at a time, so a plain read is already current there.
 */
export function forUpdate(source: DialectSource): string {
  return isMysql(source) ? ' FOR UPDATE' : '';
}

/**
 * ` FOR UPDATE SKIP LOCKED` on MySQL: workers sharing a queue take rows no other transaction holds. Keep the
 * query single-table: TiDB's planner breaks SKIP LOCKED on joins (design.md). Nothing on sql.js (one writer).
 */
export function forUpdateSkipLocked(source: DialectSource): string {
  return isMysql(source) ? ' FOR UPDATE SKIP LOCKED' : '';
}

export interface UpsertOptions {
  /** The unique key that collides (SQLite names it; MySQL uses whichever unique key collides). */
  conflict: string[];
  /**
   * The assignments on a collision, e.g. `hits = hits + 1`. A function gets `incoming(column)`, the value the
   * INSERT proposed (MySQL `VALUES(c)`, SQLite `excluded.c`). Read only the row's old values and `incoming`:
   * MySQL applies assignments left to right, SQLite all at once, so that keeps them equal.
   */
  set: string | ((incoming: (column: string) => string) => string);
  /** The INSERT takes its rows from a SELECT: SQLite's parser then needs a WHERE before ON CONFLICT. */
  fromSelect?: boolean;
}

/** The clause that turns `insert` (a complete INSERT … VALUES or INSERT … SELECT) into an upsert. */
export function onConflictUpdate(source: DialectSource, options: UpsertOptions): string {
  const mysql = isMysql(source);
  const incoming = (column: string) => (mysql ? `VALUES(${column})` : `excluded.${column}`);
  const set = typeof options.set === 'string' ? options.set : options.set(incoming);
  if (mysql) return ` ON DUPLICATE KEY UPDATE ${set}`;
  return `${options.fromSelect ? ' WHERE true' : ''} ON CONFLICT (${options.conflict.join(', ')}) DO UPDATE SET ${set}`;
}

/** `insert` + its upsert clause. */
export function upsert(source: DialectSource, insert: string, options: UpsertOptions): string {
  return insert + onConflictUpdate(source, options);
}

/** Assignments that overwrite `columns` with the inserted values, for `set`. */
export function overwrite(columns: string[]): (incoming: (column: string) => string) => string {
  return (incoming) => columns.map((column) => `${column} = ${incoming(column)}`).join(', ');
}

/** Whole seconds from the datetime expression `from` to `to` (to − from). */
export function secondsBetween(source: DialectSource, from: string, to: string): string {
  if (isMysql(source)) return `TIMESTAMPDIFF(SECOND, ${from}, ${to})`;
  return `(CAST(strftime('%s', ${to}) AS INTEGER) - CAST(strftime('%s', ${from}) AS INTEGER))`;
}

/** The larger of two numeric expressions (MySQL GREATEST, SQLite's two-argument MAX). */
export function greatest(source: DialectSource, a: string, b: string): string {
  return isMysql(source) ? `GREATEST(${a}, ${b})` : `MAX(${a}, ${b})`;
}

/** Integer division of two non-negative expressions. */
export function intDiv(source: DialectSource, a: string, b: string): string {
  return isMysql(source) ? `(${a}) DIV ${b}` : `(${a}) / ${b}`;
}

/**
 * A Date as a plain-SQL parameter, stored exactly as an entity's `datetime` column would store it
 * (mysql2 takes Dates; sql.js needs TypeORM's UTC string).
 */
export function sqlDate(em: Manager, date: Date): unknown {
  return em.connection.driver.preparePersistentValue(date, { type: 'datetime' } as ColumnMetadata);
}

/**
 * A datetime column read with plain SQL, as a Date: mysql2 gives a Date already; sql.js gives TypeORM's
 * "YYYY-MM-DD HH:MM:SS.SSS" in UTC (how `sqlDate` writes it).
 */
export function sqlDateValue(value: Date | string): Date;
export function sqlDateValue(value: Date | string | null): Date | null;
export function sqlDateValue(value: Date | string | null): Date | null {
  if (value === null || value instanceof Date) return value;
  return new Date(`${value.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'}`);
}

/**
 * Runs a plain-SQL write and answers the rows it changed (matched, on MySQL), so a conditional UPDATE can be
 * checked on both drivers: mysql2 reports affectedRows, sql.js its rows-modified count. Inside a transaction
 * it runs on the transaction's connection.
 */
export async function execute(em: Pick<EntityManager, 'connection' | 'queryRunner'>, sql: string, parameters: unknown[]): Promise<number> {
  const runner = em.queryRunner ?? em.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    return Number(result.affected ?? 0);
  } finally {
    if (!em.queryRunner) await runner.release();
  }
}

/**
 * The id of the row a single-row INSERT just wrote, given what `queryRunner.query(sql, params, true)` answered:
 * mysql2 reports insertId; sql.js reports nothing, so SQLite is asked `last_insert_rowid()` on the same
 * connection (its only one). Run it right after the INSERT, on the same `em`.
 */
export async function insertedId(em: Pick<EntityManager, 'connection' | 'queryRunner'>, inserted: QueryResult): Promise<number> {
  if (isMysql(em)) return Number((inserted.raw as { insertId: number | string }).insertId);
  const rows: Array<{ id: number | string }> = await (em.queryRunner ?? em.connection).query('SELECT last_insert_rowid() AS id');
  return Number(rows[0].id);
}

const returningSupport = new WeakMap<Pick<DataSource, 'options'>, Promise<boolean>>();

/**
 * Whether `INSERT … RETURNING` answers the rows a multi-row INSERT wrote. MariaDB (10.5+) does; MySQL 8 and
 * TiDB have none, and sql.js's SQLite is not relied on for it. Without it, read the rows back by a unique key in
 * the same transaction: trusting `insertId + i` would depend on MySQL's auto-increment lock mode. Asked once per
 * DataSource (MariaDB names itself in VERSION()).
 */
export function supportsReturning(dataSource: Pick<DataSource, 'options' | 'query'>): Promise<boolean> {
  let known = returningSupport.get(dataSource);
  if (!known) {
    known = isMysql(dataSource)
      ? dataSource
          .query('SELECT VERSION() AS version')
          .then((rows: Array<{ version: string }>) => /mariadb/i.test(String(rows[0]?.version ?? '')))
      : Promise.resolve(false);
    returningSupport.set(dataSource, known);
  }
  return known;
}

/** Tests: answer `supported` from now on for this DataSource, e.g. to take MySQL 8's read-back path on MariaDB. */
export function assumeReturning(dataSource: Pick<DataSource, 'options'>, supported: boolean): void {
  returningSupport.set(dataSource, Promise.resolve(supported));
}

/**
 * `WHERE` for "any of these `count` tuples of `columns`", with `columns.length` × `count` parameters, tuple by
 * tuple. MySQL and MariaDB turn a row-constructor IN into one index range per tuple (separate IN lists would
 * make the cross product of ranges); SQLite takes a row-value IN only from a subquery, so there it is an OR of
 * tuples, which its OR-optimisation looks up one by one in the same index. Not parenthesised on SQLite: put it
 * in parentheses when anything else joins the WHERE.
 */
export function tuplesIn(source: DialectSource, columns: readonly string[], count: number): string {
  if (isMysql(source)) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return `(${columns.join(', ')}) IN (${Array.from({ length: count }, () => tuple).join(', ')})`;
  }
  const tuple = `(${columns.map((column) => `${column} = ?`).join(' AND ')})`;
  return Array.from({ length: count }, () => tuple).join(' OR ');
}

/**
 * A batch of values as a table to join from, on MySQL and MariaDB: `JSON_TABLE` over ONE parameter, the JSON
 * array `JSON.stringify(values)` whose elements are the values (one column) or arrays of them (several columns,
 * in order). Joined from it with STRAIGHT_JOIN, each value is one index look-up. An IN list of more than
 * `eq_range_index_dive_limit` values (200 by default on both) makes the optimizer estimate from statistics
 * instead of the index, and on coupon (template_id, member_id) it then chose to read every coupon of the template:
 * 36,000 index entries under the flash-claim flush's row lock for a batch of 280 members, 2.9 ms where the
 * look-ups take 0.7 ms, growing with every coupon claimed. Null on SQLite (no JSON_TABLE, no such estimate):
 * callers keep their IN lists there. MariaDB 10.6+ and MySQL 8.0.4+.
 */
export function jsonBatchTable(
  source: DialectSource,
  alias: string,
  columns: ReadonlyArray<readonly [name: string, type: string]>,
): string | null {
  if (!isMysql(source)) return null;
  const paths = columns.map(([name, type], i) => `${name} ${type} PATH '${columns.length === 1 ? '$' : `$[${i}]`}'`);
  return `JSON_TABLE(?, '$[*]' COLUMNS (${paths.join(', ')})) AS ${alias}`;
}

/**
 * Placeholders one statement may carry: MySQL's protocol stops at 65,535; SQLite builds may stop at 999
 * (SQLITE_MAX_VARIABLE_NUMBER before 3.32), so the embedded database is held to that.
 */
export const PLACEHOLDERS_PER_STATEMENT: Readonly<Record<DialectName, number>> = { mysql: 65_535, sqlite: 999 };

/**
 * Rows per multi-row statement (a VALUES list, an IN list): the caller's size for this dialect, checked against
 * the placeholder limit at `placeholdersPerRow`. On MySQL fewer, larger statements cost fewer round trips, so
 * sizes there are chosen for speed, far below the limit; on SQLite they must fit the limit.
 */
export function rowsPerStatement(source: DialectSource, sizes: Readonly<Record<DialectName, number>>, placeholdersPerRow = 1): number {
  const dialect = dialectName(source);
  const rows = sizes[dialect];
  if (!(rows >= 1) || rows * placeholdersPerRow > PLACEHOLDERS_PER_STATEMENT[dialect])
    throw new Error(`${rows} rows of ${placeholdersPerRow} placeholders do not fit one ${dialect} statement`);
  return rows;
}

export interface RandomCode {
  /** Digits the code starts with, e.g. '9'. */
  prefix: string;
  /** Random digits after the prefix, at most 16. */
  digits: number;
}

/**
 * An SQL expression drawing a fresh code per row, `prefix` then `digits` random decimal digits (leading zeros
 * kept), so a set-based write can run as INSERT … SELECT instead of shipping every row from Node. Null when the
 * database cannot draw one worth trusting: the caller makes the codes in Node then (the embedded SQLite).
 *
 * On MySQL/MariaDB RANDOM_BYTES comes from the server's TLS library (cryptographically strong; RAND() is not:
 * it repeated a coupon code within 82,000 rows when we tried). 64 random bits mod 10^digits: a bias below 0.1 %
 * up to 16 digits. A collision with an existing code fails the statement on its unique key, as a code from
 * Node would. Non-deterministic, so it needs row-based binlogs (MySQL 8's default).
 */
export function randomCodeSql(source: DialectSource, code: RandomCode): string | null {
  if (!/^\d*$/.test(code.prefix) || !Number.isInteger(code.digits) || code.digits < 1 || code.digits > 16)
    throw new Error(`random code: prefix ${JSON.stringify(code.prefix)} and ${code.digits} digits are not supported`);
  if (!isMysql(source)) return null;
  const modulus = `1${'0'.repeat(code.digits)}`;
  return `CONCAT('${code.prefix}', LPAD(CAST(CONV(HEX(RANDOM_BYTES(8)), 16, 10) AS UNSIGNED) % ${modulus}, ${code.digits}, '0'))`;
}

/**
 * Whether `FORCE INDEX (…)` hints may follow a table name (MySQL syntax). SQLite's `INDEXED BY` takes one index
 * and fails the statement when the planner cannot use it, so the embedded database (small tables) plans alone.
 */
export function supportsForceIndex(source: DialectSource): boolean {
  return isMysql(source);
}
