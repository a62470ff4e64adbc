import type { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Where MySQL (MariaDB, TiDB) and the embedded SQLite (sql.js) differ, in one place: locking reads, upserts,
 * date arithmetic, dates as parameters and affected rows. Domain SQL asks this file instead of testing the
 * driver itself. Plain strings where a statement is built without a connection (benchmarks read those).
 */
export type DialectName = 'mysql' | 'sqlite';

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
