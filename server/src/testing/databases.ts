import type { DataSource } from 'typeorm';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { createMysqlDatabase, TEST_MYSQL_URL } from './mysql';

export { TEST_MYSQL_URL };

export type TestDatabaseKind = 'mariadb' | 'sqlite';

/** Which databases the service tests run on: both by default; TEST_DATABASES=mariadb narrows it. */
export const TEST_DATABASES: TestDatabaseKind[] = (process.env.TEST_DATABASES ?? 'mariadb,sqlite')
  .split(',')
  .map((kind) => kind.trim() as TestDatabaseKind)
  .filter(Boolean);

export interface TestDatabase {
  kind: TestDatabaseKind;
  dataSource: DataSource;
  /** mysql:// URL of this database (null for the in-memory SQLite one), e.g. to start a server process on it. */
  url: string | null;
  drop(): Promise<void>;
}

/** A fresh database of the given kind with every migration applied: each spec gets its own. */
export async function createTestDatabase(kind: TestDatabaseKind, poolSize = 20): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dataSource = await openDatabase(dataSourceOptions({ url: null, sqlitePath: ':memory:', poolSize }, { sqliteInMemory: true }));
    return { kind, dataSource, url: null, drop: () => dataSource.destroy() };
  }
  const database = await createMysqlDatabase();
  let dataSource: DataSource;
  try {
    dataSource = await openDatabase(dataSourceOptions({ url: database.url, sqlitePath: '', poolSize }));
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    kind,
    dataSource,
    url: database.url,
    async drop() {
      // app.close() has usually destroyed it already; destroying twice throws and would skip the DROP.
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}
