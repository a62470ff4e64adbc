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
