// Issue 18: the console's member search on 1,000,000 members (MariaDB). Seeds a fresh database, times the
// phone_last4 migration's backfill, then runs every look-up through the real MemberSearchService (server/dist)
// as HQ and as a store manager, printing each statement's EXPLAIN and its median time over 5 runs.
// Run: npm run build:ts && node test/scripts/member-search-explain.mjs [members]   (about 2 minutes)
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createConnection } from 'mysql2/promise';

const require = createRequire(import.meta.url);
const { dataSourceOptions, openDatabase } = require('../../server/dist/database/data-source.js');
const { MemberSearchService } = require('../../server/dist/members/member-search.service.js');
const { PhoneVault } = require('../../server/dist/members/phone-vault.js');
const { MemberSearch17639000000900 } = require('../../server/dist/database/migrations/17639000000900-MemberSearch.js');

const MEMBERS = Number(process.argv[2] ?? 1_000_000);
const ROOT = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const NAME = `mp_search_explain_${randomBytes(3).toString('hex')}`;
const admin = await createConnection(ROOT);
await admin.query(`CREATE DATABASE \`${NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
const dataSource = await openDatabase(dataSourceOptions({ url: `${ROOT}/${NAME}`, sqlitePath: '', poolSize: 4 }));
const seconds = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

try {
  let t0 = performance.now();
  const surnames = "'张','李','王','赵','陈','刘','杨','黄','周','吴'";
  const given = "'晓','明','静','伟','芳','强','丽','军'";
  let [{ lastId }] = [{ lastId: 0 }];
  for (let from = 1; from <= MEMBERS; from += 100_000) {
    const to = Math.min(MEMBERS, from + 99_999);
    await dataSource.query(
      `INSERT INTO member (openid, nickname, phone_hash, phone_masked, joined_at, privacy_accepted_at, privacy_policy_version,
                           version, created_at, updated_at, last_purchase_at)
       SELECT CONCAT('ex-', seq), CONCAT(ELT(1 + seq % 10, ${surnames}), ELT(1 + (seq DIV 10) % 8, ${given}), seq % 997),
              SHA2(CONCAT('p', seq), 256), CONCAT('13', seq % 10, '****', LPAD(seq % 10000, 4, '0')),
              '2026-01-05', '2026-01-05', 'test', 1, NOW(), NOW(), IF(seq % 2 = 0, '2026-06-01', NULL)
         FROM seq_${from}_to_${to}`,
    );
    // Every other member bought once, at one of 50 stores: a store has about 1 % of all members. By the ids this
    // chunk got (InnoDB leaves gaps between the blocks it hands INSERT … SELECT, so ids run past the count).
    await dataSource.query(
      `INSERT INTO purchase (member_id, staff_openid, idempotency_key, store_code, gross_fen, paid_fen, purchased_at)
       SELECT m.id, 'o-clerk', CONCAT('k', m.id), CONCAT('S', LPAD(1 + m.id % 50, 3, '0')), 1000, 1000, '2026-06-01'
         FROM member m WHERE m.id > ? AND m.id % 2 = 0`,
      [lastId],
    );
    [{ lastId }] = await dataSource.query('SELECT MAX(id) AS lastId FROM member');
    process.stdout.write(`\r  seeded ${to} members`);
  }
  console.log(`\n  seed: ${seconds(t0)} s`);
  const vault = new PhoneVault(randomBytes(32).toString('base64'));
  const normalized = PhoneVault.normalize('86', '13812345678');
  // Ids have gaps (InnoDB hands out auto-increment values to INSERT … SELECT in blocks): take a real middle one.
  const [{ id: middle }] = await dataSource.query('SELECT id FROM member ORDER BY id LIMIT 1 OFFSET ?', [Math.floor(MEMBERS / 2)]);
  await dataSource.query('UPDATE member SET phone_hash = ?, phone_masked = ? WHERE id = ?', [
    vault.lookupHash(normalized),
    '138****5678',
    middle,
  ]);

  // The migration on a full table: drop what it added, then run it again and time it (backfill + indexes).
  const migration = new MemberSearch17639000000900();
  let runner = dataSource.createQueryRunner();
  await migration.down(runner);
  t0 = performance.now();
  await migration.up(runner);
  await runner.release();
  const [filled] = await dataSource.query('SELECT COUNT(*) AS n FROM member WHERE phone_last4 IS NOT NULL');
  console.log(`  migration 17639000000900 up on ${MEMBERS} members: ${seconds(t0)} s (${filled.n} last-four values filled)`);
  await dataSource.query('ANALYZE TABLE member, purchase');

  // Every statement the service sends, captured and explained.
  const captured = [];
  const tracing = new Proxy(dataSource, {
    get(target, prop) {
      if (prop === 'query')
        return (sql, params) => {
          captured.push({ sql, params });
          return target.query(sql, params);
        };
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const stores = { visibleStores: (staff) => (staff.role === 'admin' ? null : staff.stores) };
  const service = new MemberSearchService({ memberConsole: { pageSize: 20, containsScanIds: 100_000 } }, tracing, stores, vault);
  const hq = { id: 1, openid: 'hq', role: 'admin', name: null, stores: [] };
  const manager = { id: 2, openid: 'mgr', role: 'store_manager', name: null, stores: ['S001'] };
  const cases = [
    ['phone', { q: '13812345678' }],
    ['last4', { q: '4321' }],
    ['memberNo', { q: String(middle) }],
    ['nickname prefix 张晓 (12,500 matches)', { q: '张晓' }],
    ['nickname prefix, narrow (张晓99: also 张晓990-996)', { q: '张晓99' }],
    ['nickname contains 晓1 (common)', { q: '晓1', match: 'contains' }],
    ['nickname contains, no match', { q: 'zzz', match: 'contains' }],
  ];
  const results = [];
  for (const staff of [hq, manager]) {
    for (const [label, query] of cases) {
      const times = [];
      let answer;
      for (let i = 0; i < 5; i++) {
        captured.length = 0;
        const t = performance.now();
        answer = await service.search(staff, query);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const { sql, params } = captured[captured.length - 1];
      const plan = await dataSource.query(`EXPLAIN ${sql}`, params);
      results.push({ who: staff.role, label, ms: Number(times[2].toFixed(1)), rows: answer.rows.length, more: answer.nextCursor !== null });
      console.log(
        `\n${staff.role} · ${label}: median ${times[2].toFixed(1)} ms, ${answer.rows.length} rows${answer.nextCursor ? ' (more)' : ''}`,
      );
      for (const row of plan)
        console.log(`  ${row.id} ${row.select_type} ${row.table} type=${row.type} key=${row.key} rows=${row.rows} ${row.Extra ?? ''}`);
      if (answer.nextCursor) {
        captured.length = 0;
        const t = performance.now();
        await service.search(staff, { ...query, cursor: answer.nextCursor });
        console.log(`  page 2: ${(performance.now() - t).toFixed(1)} ms`);
      }
    }
  }
  console.log('\n' + JSON.stringify(results));
} finally {
  await dataSource.destroy();
  await admin.query(`DROP DATABASE IF EXISTS \`${NAME}\``);
  await admin.end();
}
