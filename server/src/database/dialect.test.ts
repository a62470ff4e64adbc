import {
  dialectName,
  forUpdate,
  forUpdateSkipLocked,
  greatest,
  intDiv,
  onConflictUpdate,
  overwrite,
  secondsBetween,
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
});
