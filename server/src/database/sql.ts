import type { EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

type Manager = Pick<EntityManager, 'connection'>;

/**
 * A Date as a plain-SQL parameter, stored exactly as an entity's `datetime` column would store it
 * (mysql2 takes Dates; sql.js needs TypeORM's UTC string).
 */
export function sqlDate(em: Manager, date: Date): unknown {
  return em.connection.driver.preparePersistentValue(date, { type: 'datetime' } as ColumnMetadata);
}

/**
 * ` FOR UPDATE` on MySQL: a locking read sees the latest committed row, not the transaction's snapshot (which
 * may predate a change another transaction committed while we waited for the lock). sql.js runs one
 * transaction at a time, so a plain read is already current there.
 */
export function forUpdate(em: Manager): string {
  return em.connection.options.type === 'mysql' ? ' FOR UPDATE' : '';
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
