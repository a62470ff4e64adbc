import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { dataSourceOptions, openDatabase } from '../database/data-source';

export type TestDatabaseKind = 'mariadb' | 'sqlite';

/** Which databases the service tests run on: both by default; TEST_DATABASES=mariadb narrows it. */
export const TEST_DATABASES: TestDatabaseKind[] = (process.env.TEST_DATABASES ?? 'mariadb,sqlite')
  .split(',')
  .map((kind) => kind.trim() as TestDatabaseKind)
  .filter(Boolean);

export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  kind: TestDatabaseKind;
  dataSource: DataSource;
  /** mysql:// URL of this database (null for the in-memory SQLite one), e.g. to start a server process on it. */
  url: string | null;
  drop(): Promise<void>;
}

/** Creates an empty, migrated MariaDB database with a unique name; dropped again by `drop()`. */
export async function createMysqlDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mp_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection(TEST_MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    url: `${TEST_MYSQL_URL.replace(/\/+$/, '')}/${name}`,
    async drop() {
      const connection = await createConnection(TEST_MYSQL_URL);
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
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
      await dataSource.destroy();
      await database.drop();
    },
  };
}
