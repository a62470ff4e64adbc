import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import {
  assumeReturning,
  dialectName,
  forUpdate,
  forUpdateSkipLocked,
  greatest,
  insertedId,
  intDiv,
  onConflictUpdate,
  overwrite,
  randomCodeSql,
  rowsPerStatement,
  secondsBetween,
  supportsForceIndex,
  supportsReturning,
  tuplesIn,
  upsert,
} from './dialect';

describe('the SQL dialect', () => {
  const mysql = { options: { type: 'mysql' } } as const;
  const mariadb = { connection: { options: { type: 'mariadb' } } } as never;
  const sqljs = { connection: { options: { type: 'sqljs' } } } as never;

  it('knows MySQL-compatible drivers from the embedded one', () => {
    expect([dialectName(mysql as never), dialectName(mariadb), dialectName(sqljs), dialectName('sqlite')]).toEqual([
      'mysql',
      'mysql',
      'sqlite',
      'sqlite',
    ]);
  });

  it('locks rows on MySQL only (sql.js has one writer)', () => {
    expect([forUpdate('mysql'), forUpdate('sqlite')]).toEqual([' FOR UPDATE', '']);
    expect([forUpdateSkipLocked('mysql'), forUpdateSkipLocked('sqlite')]).toEqual([' FOR UPDATE SKIP LOCKED', '']);
  });

  it('writes one upsert both ways, with the inserted values named per dialect', () => {
    const insert = 'INSERT INTO t (a, b, n) VALUES (?, ?, 1)';
    const options = { conflict: ['a', 'b'], set: (incoming: (c: string) => string) => `n = n + 1, b = ${incoming('b')}` };
    expect(upsert('mysql', insert, options)).toBe(`${insert} ON DUPLICATE KEY UPDATE n = n + 1, b = VALUES(b)`);
    expect(upsert('sqlite', insert, options)).toBe(`${insert} ON CONFLICT (a, b) DO UPDATE SET n = n + 1, b = excluded.b`);
    expect(onConflictUpdate('sqlite', { conflict: ['id'], set: overwrite(['x', 'y']), fromSelect: true })).toBe(
      ' WHERE true ON CONFLICT (id) DO UPDATE SET x = excluded.x, y = excluded.y',
    );
    expect(onConflictUpdate('mysql', { conflict: ['id'], set: 'x = 0', fromSelect: true })).toBe(' ON DUPLICATE KEY UPDATE x = 0');
  });

  it('does date and integer arithmetic both ways', () => {
    expect(greatest('mysql', '0', intDiv('mysql', `${secondsBetween('mysql', 'a', '?')} + 9`, '10'))).toBe(
      'GREATEST(0, (TIMESTAMPDIFF(SECOND, a, ?) + 9) DIV 10)',
    );
    expect(greatest('sqlite', '0', intDiv('sqlite', `${secondsBetween('sqlite', 'a', '?')} + 9`, '10'))).toBe(
      "MAX(0, ((CAST(strftime('%s', ?) AS INTEGER) - CAST(strftime('%s', a) AS INTEGER)) + 9) / 10)",
    );
  });

  it('looks tuples up by row constructor on MySQL and by OR on SQLite', () => {
    expect(tuplesIn('mysql', ['a', 'b'], 2)).toBe('(a, b) IN ((?, ?), (?, ?))');
    expect(tuplesIn('sqlite', ['a', 'b'], 2)).toBe('(a = ? AND b = ?) OR (a = ? AND b = ?)');
  });

  it('sizes statements per dialect within its placeholder limit', () => {
    expect([
      rowsPerStatement('mysql', { mysql: 2000, sqlite: 90 }, 10),
      rowsPerStatement('sqlite', { mysql: 2000, sqlite: 90 }, 10),
    ]).toEqual([2000, 90]);
    expect(() => rowsPerStatement('sqlite', { mysql: 2000, sqlite: 100 }, 10)).toThrow('do not fit');
    expect(() => rowsPerStatement('mysql', { mysql: 7000, sqlite: 90 }, 10)).toThrow('do not fit');
    expect(() => rowsPerStatement('mysql', { mysql: 0, sqlite: 90 })).toThrow('do not fit');
  });

  it('draws random codes in MySQL only, and takes only digits for a prefix', () => {
    expect(randomCodeSql('mysql', { prefix: '9', digits: 15 })).toBe(
      "CONCAT('9', LPAD(CAST(CONV(HEX(RANDOM_BYTES(8)), 16, 10) AS UNSIGNED) % 1000000000000000, 15, '0'))",
    );
    expect(randomCodeSql('sqlite', { prefix: '9', digits: 15 })).toBeNull();
    expect(() => randomCodeSql('mysql', { prefix: "9'", digits: 15 })).toThrow('not supported');
    expect(() => randomCodeSql('mysql', { prefix: '9', digits: 17 })).toThrow('not supported');
  });

  it('hints indexes on MySQL only', () => {
    expect([supportsForceIndex('mysql'), supportsForceIndex('sqlite')]).toEqual([true, false]);
  });
});

/** The capabilities against the real databases: what each answers is what the database then accepts. */
describe.each(TEST_DATABASES)('the SQL dialect on %s', (kind) => {
  let db: TestDatabase;
  const CODE = { prefix: '9', digits: 15 };
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const id = kind === 'sqlite' ? 'id INTEGER PRIMARY KEY AUTOINCREMENT' : 'id INT AUTO_INCREMENT PRIMARY KEY';
    await db.dataSource.query(`CREATE TABLE dialect_probe (${id}, a INT NOT NULL, b VARCHAR(40) NOT NULL, UNIQUE (a, b))`);
  });
  afterAll(() => db?.drop());

  it('answers the id of the row an INSERT wrote', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      const ids: number[] = [];
      for (const b of ['x', 'y'])
        ids.push(await insertedId(runner.manager, await runner.query('INSERT INTO dialect_probe (a, b) VALUES (?, ?)', [1, b], true)));
      const rows: Array<{ id: number | string; b: string }> = await runner.query('SELECT id, b FROM dialect_probe WHERE a = 1 ORDER BY id');
      expect(rows.map((row) => [Number(row.id), row.b])).toEqual([
        [ids[0], 'x'],
        [ids[1], 'y'],
      ]);
    } finally {
      await runner.release();
    }
  });

  it('knows whether INSERT … RETURNING answers the new rows (MariaDB does)', async () => {
    const supported = await supportsReturning(db.dataSource);
    expect(supported).toBe(kind === 'mariadb');
    if (supported) {
      const rows: Array<{ id: number | string; b: string }> = await db.dataSource.query(
        'INSERT INTO dialect_probe (a, b) VALUES (?, ?), (?, ?) RETURNING id, b',
        [2, 'p', 2, 'q'],
      );
      expect(rows.map((row) => row.b).sort()).toEqual(['p', 'q']);
    }
    assumeReturning(db.dataSource, !supported);
    expect(await supportsReturning(db.dataSource)).toBe(!supported);
    assumeReturning(db.dataSource, supported);
  });

  it('finds exactly the tuples asked for', async () => {
    await db.dataSource.query('INSERT INTO dialect_probe (a, b) VALUES (?, ?), (?, ?), (?, ?)', [3, 'm', 3, 'n', 4, 'm']);
    const rows: Array<{ a: number | string; b: string }> = await db.dataSource.query(
      `SELECT a, b FROM dialect_probe WHERE ${tuplesIn(db.dataSource, ['a', 'b'], 3)} ORDER BY a, b`,
      [3, 'm', 4, 'm', 4, 'n'],
    );
    expect(rows.map((row) => [Number(row.a), row.b])).toEqual([
      [3, 'm'],
      [4, 'm'],
    ]);
  });

  it('draws distinct well-formed codes where it can, else leaves them to Node', async () => {
    const code = randomCodeSql(db.dataSource, CODE);
    if (kind === 'sqlite') {
      expect(code).toBeNull();
      return;
    }
    const rows: Array<{ code: string }> = await db.dataSource.query(
      `SELECT ${code} AS code FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) x1 ` +
        'CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) x2',
    );
    expect(rows).toHaveLength(16);
    for (const row of rows) expect(String(row.code)).toMatch(/^9\d{15}$/);
    expect(new Set(rows.map((row) => row.code)).size).toBe(16);
  });

  it('takes FORCE INDEX where it says so', async () => {
    if (!supportsForceIndex(db.dataSource)) return;
    const [row]: Array<{ n: number | string }> = await db.dataSource.query(
      'SELECT COUNT(*) AS n FROM dialect_probe FORCE INDEX (a) WHERE a = 3',
    );
    expect(Number(row.n)).toBe(2);
  });

  it('sizes statements that the database accepts', async () => {
    const rows = rowsPerStatement(db.dataSource, { mysql: 5000, sqlite: 999 });
    const [row]: Array<{ n: number | string }> = await db.dataSource.query(
      `SELECT COUNT(*) AS n FROM dialect_probe WHERE id IN (${Array.from({ length: rows }, () => '?').join(', ')})`,
      Array.from({ length: rows }, (_, i) => -i),
    );
    expect(Number(row.n)).toBe(0);
  });
});
