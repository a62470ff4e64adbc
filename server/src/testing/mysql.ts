// Plain mysql2, no entities: usable from scripts that run without decorator support (benchmarks via tsx).
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** Creates an empty MariaDB database with a unique name; dropped again by `drop()`. */
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
