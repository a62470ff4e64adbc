// npm run bench -- audience [--members 1000000] [--repeat 3] [--baseline-repeat 1]
// Audience previews (客户分层) on a full member table. 1,000,000 joined members (tiers, lifecycle statuses,
// birthdays, last purchases spread over two years), 1-3 purchases each for the 70 % who bought, subscription
// grants for a share of them (inserted in shuffled member order, as accepts arrive) and a few switched-off kinds
// are seeded into MariaDB; the RFM refresh then runs once over HTTP (POST /api/admin/segments/refresh) and its
// time is reported. Then, for several filters:
// - ours: POST /api/admin/audiences/preview over HTTP as an admin (size, reachable count, sample and
//   computedAt; median of --repeat runs after a warm-up), plus our two COUNT statements alone through mysql2,
//   with their EXPLAIN;
// - baseline, same run, same data: the same two counts written as the simplest SQL (member joined to
//   member_rfm, EXISTS / NOT EXISTS for grants and switches) with every index of the Segments migration
//   ignored, i.e. full scans of member and member_rfm; the indexes that existed before (primary keys,
//   idx_member_birthday, the grant and preference keys) stay usable.
// The goal is every preview under one second; `violations` counts previews whose numbers differ from the
// baseline's (correctness), and `previewsOverOneSecond` the goal's misses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import type { AudienceFilter, AudiencePreviewResponse, MessageKind, SegmentsRefreshResponse } from '@member/shared';
import { addBusinessDays } from '../../server/src/common/clock';
import {
  audienceCountSql,
  audienceQuery,
  GRANT_REACH_INDEX,
  MEMBER_AUDIENCE_INDEXES,
  reachableCountSql,
  RFM_AUDIENCE_INDEXES,
  type SqlStatement,
} from '../../server/src/segments/audience-sql';
import { TestApi } from '../support/api-client';
import { REPO_ROOT } from '../support/processes';
import { startStack } from '../support/stack';
import { numberArg, report } from './harness';

const SEED_CHUNK = 100_000;
const TIME_ZONE = 'Asia/Shanghai';
const ONE_SECOND_MS = 1000;
/** The template id of each message kind, from config/defaults.json (the stack runs on the defaults). */
const TEMPLATES = Object.fromEntries(
  Object.entries(
    (
      JSON.parse(readFileSync(join(REPO_ROOT, 'config', 'defaults.json'), 'utf8')) as {
        messages: { templates: Record<MessageKind, { templateId: string }> };
      }
    ).messages.templates,
  ).map(([kind, t]) => [kind, t.templateId]),
) as Record<MessageKind, string>;

const FILTERS: Array<{ label: string; filter: AudienceFilter; messageKind?: MessageKind }> = [
  { label: 'everyone, coupon message', filter: {}, messageKind: 'coupon_arrived' },
  { label: 'gold + diamond', filter: { tiers: ['gold', 'diamond'] }, messageKind: 'coupon_arrived' },
  {
    label: 'reactivation: dormant, ≥ 90 days',
    filter: { lifecycleStatuses: ['dormant'], lastPurchaseDaysMin: 90 },
    messageKind: 'reactivation',
  },
  { label: 'born in November', filter: { birthdayMonths: [11] }, messageKind: 'birthday' },
  { label: 'bought within 30 days, born Nov/Dec', filter: { lastPurchaseDaysMax: 30, birthdayMonths: [11, 12] } },
  { label: '12-month spend ≥ ¥3,000', filter: { spendFenMin: 300_000 }, messageKind: 'coupon_arrived' },
  { label: 'high value + loyal', filter: { rfmSegments: ['high_value', 'loyal'] }, messageKind: 'coupon_arrived' },
  { label: 'at risk, gold + diamond', filter: { rfmSegments: ['at_risk'], tiers: ['gold', 'diamond'] }, messageKind: 'reactivation' },
  {
    label: 'wide on both sides (worst case)',
    filter: {
      tiers: ['normal', 'silver'],
      lifecycleStatuses: ['active', 'regular', 'new'],
      spendFenMax: 500_000,
      rfmSegments: ['new', 'potential', 'needs_attention', 'loyal', 'never_purchased'],
    },
    messageKind: 'coupon_arrived',
  },
];

async function main(): Promise<void> {
  const memberCount = numberArg('members', 1_000_000);
  const repeat = numberArg('repeat', 3);
  // Each baseline count is a full scan taking seconds: once each by default, after ours warmed the same pages.
  const baselineRepeat = numberArg('baseline-repeat', 1);
  process.stdout.write(
    `audience benchmark: ${memberCount.toLocaleString('en')} members, ${FILTERS.length} filters, ` +
      `ours the median of ${repeat}, baseline of ${baselineRepeat}\n`,
  );

  const stack = await startStack({ database: 'mariadb', staff: [{ user: 'bench-marketing', role: 'admin' }] });
  const pool: Pool = createPool({ uri: stack.databaseUrl!, connectionLimit: 4, timezone: 'Z' });
  const rows = async <T>(sql: string, params: unknown[] = []) => (await pool.query<RowDataPacket[]>(sql, params))[0] as T[];
  const one = async (sql: string, params: unknown[] = []) =>
    Number(Object.values((await rows<Record<string, unknown>>(sql, params))[0])[0]);
  try {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('bench-marketing')).token;
    const seedSeconds = await seed(pool, memberCount);
    const counts = {
      members: await one('SELECT COUNT(*) FROM member WHERE joined_at IS NOT NULL'),
      purchases: await one('SELECT COUNT(*) FROM purchase'),
      grants: await one('SELECT COUNT(*) FROM message_grant'),
      preferences: await one('SELECT COUNT(*) FROM message_preference'),
    };
    done(
      `seeded in ${seedSeconds.toFixed(1)} s: ${Object.entries(counts)
        .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
        .join(', ')}`,
    );

    // The refresh, as staff start it. Context for its time: one plain GROUP BY of the whole purchase table.
    let started = performance.now();
    const ticking = setInterval(() => progress(`ours: RFM refresh, ${((performance.now() - started) / 1000).toFixed(0)} s`), 1000);
    const refreshed = await api
      .call<SegmentsRefreshResponse>('POST', '/admin/segments/refresh', { token: admin })
      .finally(() => clearInterval(ticking));
    if (refreshed.status !== 200) throw new Error(`refresh: ${refreshed.status} ${JSON.stringify(refreshed.body)}`);
    const refreshSeconds = (performance.now() - started) / 1000;
    const refresh = refreshed.body;
    done(
      `RFM refresh: ${refresh.members.toLocaleString('en')} members, ` +
        `${refresh.scoredMembers.toLocaleString('en')} scored, in ${refreshSeconds.toFixed(1)} s`,
    );
    process.stdout.write(
      `  segments: ${Object.entries(refresh.segments)
        .map(([s, n]) => `${s} ${n.toLocaleString('en')}`)
        .join(', ')}\n`,
    );
    process.stdout.write(`  thresholds: ${JSON.stringify(refresh.thresholds)}\n`);
    started = performance.now();
    await pool.query(
      'CREATE TABLE bench_purchase_rollup AS' +
        ' SELECT member_id, COUNT(*) AS n, SUM(paid_fen - refunded_fen) AS spend, MAX(purchased_at) AS last_at' +
        ' FROM purchase GROUP BY member_id',
    );
    const rollupSeconds = (performance.now() - started) / 1000;
    done(`context: one plain GROUP BY of all purchases into a scratch table: ${rollupSeconds.toFixed(1)} s`);
    await pool.query('ANALYZE TABLE member_rfm');

    const results: Array<Record<string, unknown>> = [];
    let violations = 0;
    let over = 0;
    let oursTotalMs = 0;
    let baselineTotalMs = 0;
    for (const { label, filter, messageKind } of FILTERS) {
      process.stdout.write(`\n■ ${label}: ${JSON.stringify(filter)}${messageKind ? ` reachable for ${messageKind}` : ''}\n`);
      const query = audienceQuery(filter, { now: new Date(), timeZone: TIME_ZONE, date: (d) => d, indexHints: true });
      const size = audienceCountSql(query);
      const reachable = messageKind ? reachableCountSql(query, TEMPLATES[messageKind], messageKind, { indexHints: true }) : null;
      process.stdout.write('  EXPLAIN size:\n');
      printTable(await rows(`EXPLAIN ${size.sql}`, size.params));
      if (reachable) {
        process.stdout.write('  EXPLAIN reachable:\n');
        printTable(await rows(`EXPLAIN ${reachable.sql}`, reachable.params));
      }
      const indexes = [
        ...new Set(
          (await rows<{ key: string | null; table: string }>(`EXPLAIN ${(reachable ?? size).sql}`, (reachable ?? size).params)).map(
            (r) => `${r.table}:${r.key ?? 'none'}`,
          ),
        ),
      ];

      // Ours over HTTP: one warm-up, then the median.
      const preview = () =>
        api.call<AudiencePreviewResponse>('POST', '/admin/audiences/preview', {
          token: admin,
          body: messageKind ? { filter, messageKind } : { filter },
        });
      const warm = await preview();
      if (warm.status !== 200) throw new Error(`preview ${label}: ${warm.status} ${JSON.stringify(warm.body)}`);
      const oursMs = await median(repeat, async () => void (await preview()));
      const sqlSizeMs = await median(repeat, async () => void (await pool.query(size.sql, size.params)));
      const sqlReachableMs = reachable ? await median(repeat, async () => void (await pool.query(reachable.sql, reachable.params))) : null;

      // Baseline: the simplest SQL for the same two numbers, without the audience indexes.
      const baseline = baselineSql(filter, messageKind);
      let baselineNumbers: { size: number; reachable: number | null } = { size: -1, reachable: null };
      const baselineMs = await median(baselineRepeat, async () => {
        baselineNumbers = {
          size: await one(baseline.size.sql, baseline.size.params),
          reachable: baseline.reachable ? await one(baseline.reachable.sql, baseline.reachable.params) : null,
        };
      });
      const agree = warm.body.size === baselineNumbers.size && warm.body.reachable === baselineNumbers.reachable;
      if (!agree) violations++;
      if (oursMs >= ONE_SECOND_MS) over++;
      oursTotalMs += oursMs;
      baselineTotalMs += baselineMs;
      const reachableText = warm.body.reachable === null ? '' : `, reachable ${warm.body.reachable.toLocaleString('en')}`;
      const sqlReachableText = sqlReachableMs === null ? '' : `, reachable ${sqlReachableMs.toFixed(0)} ms`;
      process.stdout.write(
        `  size ${warm.body.size.toLocaleString('en')}${reachableText}` +
          ` | ours: preview ${oursMs.toFixed(0)} ms over HTTP (SQL: size ${sqlSizeMs.toFixed(0)} ms${sqlReachableText})` +
          ` | baseline ${baselineMs.toFixed(0)} ms | ${agree ? 'same numbers' : `MISMATCH: baseline ${JSON.stringify(baselineNumbers)}`}\n`,
      );
      results.push({
        label,
        filter,
        messageKind: messageKind ?? null,
        size: warm.body.size,
        reachable: warm.body.reachable,
        oursPreviewMs: round(oursMs),
        oursSizeSqlMs: round(sqlSizeMs),
        oursReachableSqlMs: sqlReachableMs === null ? null : round(sqlReachableMs),
        baselineMs: round(baselineMs),
        indexes,
        sameAsBaseline: agree,
      });
    }

    const summaryLine = results
      .map((r) => `  ${String(r.oursPreviewMs).padStart(5)} ms vs ${String(r.baselineMs).padStart(6)} ms  ${r.label}`)
      .join('\n');
    process.stdout.write(`\npreview (ours, HTTP) vs baseline (full-scan SQL), medians:\n${summaryLine}\n`);
    process.stdout.write(`slowest preview ${Math.max(...results.map((r) => r.oursPreviewMs as number))} ms; over one second: ${over}\n`);
    report({
      name: 'audience',
      ours: Number(((FILTERS.length * 1000) / oursTotalMs).toFixed(3)),
      baseline: Number(((FILTERS.length * 1000) / baselineTotalMs).toFixed(3)),
      unit: 'previews/s',
      violations,
      params: {
        seededMembers: memberCount,
        ...counts,
        filters: FILTERS.length,
        repeat,
        baselineRepeat,
        database: 'mariadb',
        innodbBufferPoolBytes: await one('SELECT @@innodb_buffer_pool_size'),
      },
      previewsOverOneSecond: over,
      slowestPreviewMs: Math.max(...results.map((r) => r.oursPreviewMs as number)),
      refreshSeconds: round(refreshSeconds),
      refreshContextGroupBySeconds: round(rollupSeconds),
      refresh: {
        members: refresh.members,
        scoredMembers: refresh.scoredMembers,
        segments: refresh.segments,
        thresholds: refresh.thresholds,
        tookMs: refresh.tookMs,
      },
      seedSeconds: round(seedSeconds),
      previews: results,
    });
  } finally {
    await pool.end();
    await stack.stop();
  }
}

/**
 * Members born evenly over the year (a fifth without a birthday), tiers 60 / 25 / 12 / 3 %, 70 % who bought
 * at some point in the last two years with 1-3 purchases of ¥10-¥1,510, lifecycle statuses from the last
 * purchase, grants for about a third (some spent), and 3 % who switched coupon messages off. Hash-spread with
 * CRC32 so every run seeds the same table.
 */
async function seed(pool: Pool, memberCount: number): Promise<number> {
  const started = performance.now();
  const h = (salt: string, expression: string) => `CRC32(CONCAT('${salt}', ${expression}))`;
  for (let from = 1; from <= memberCount; from += SEED_CHUNK) {
    const to = Math.min(memberCount, from + SEED_CHUNK - 1);
    await pool.query(
      `INSERT INTO member (openid, nickname, phone_masked, joined_at, privacy_accepted_at, privacy_policy_version,
                           birthday, birthday_month, birthday_day, tier, lifecycle_status, last_purchase_at, version)
       SELECT CONCAT('aud-', s.seq), CONCAT('会员', s.seq), '138****0000', '2024-01-01', '2024-01-01', 'bench',
              IF(s.b % 5 = 0, NULL, DATE_FORMAT(s.born, '%Y-%m-%d')), IF(s.b % 5 = 0, NULL, MONTH(s.born)),
              IF(s.b % 5 = 0, NULL, DAY(s.born)),
              CASE WHEN s.t < 3 THEN 'diamond' WHEN s.t < 15 THEN 'gold' WHEN s.t < 40 THEN 'silver' ELSE 'normal' END,
              CASE WHEN s.p >= 70 THEN IF(s.t % 3 = 0, 'new', 'churned') WHEN s.d >= 180 THEN 'churned'
                   WHEN s.d >= 90 THEN 'dormant' WHEN s.t % 4 = 0 THEN 'regular' ELSE 'active' END,
              IF(s.p >= 70, NULL, UTC_TIMESTAMP() - INTERVAL s.d DAY - INTERVAL (s.b % 86400) SECOND), 1
         FROM (SELECT seq, ${h('b', 'seq')} AS b, ${h('t', 'seq')} % 100 AS t, ${h('p', 'seq')} % 100 AS p, ${h('d', 'seq')} % 720 AS d,
                      DATE_ADD('1990-01-01', INTERVAL ${h('b', 'seq')} % 366 DAY) AS born
                 FROM seq_${from}_to_${to}) s`,
    );
    progress(
      `seeding members: ${to.toLocaleString('en')} / ${memberCount.toLocaleString('en')}, ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  const lastId = Number(((await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM member'))[0] as Array<{ id: number }>)[0].id);
  for (let from = 1; from <= lastId; from += SEED_CHUNK) {
    const to = from + SEED_CHUNK - 1;
    // Purchase 1 at the member's last purchase, the others 7-36 days apart before it; 3 % fully refunded.
    const paid = `(1000 + ${h('a', "CONCAT(m.id, '-', q.seq)")} % 150000)`;
    await pool.query(
      `INSERT INTO purchase (member_id, staff_openid, idempotency_key, store_code, gross_fen, paid_fen, refunded_fen, purchased_at)
       SELECT m.id, 'o-bench', CONCAT(m.id, '-', q.seq), 'S001', ${paid}, ${paid},
              IF(${h('r', "CONCAT(m.id, '-', q.seq)")} % 100 < 3, ${paid}, 0),
              m.last_purchase_at - INTERVAL ((q.seq - 1) * (7 + m.id % 30)) DAY
         FROM member m JOIN seq_1_to_3 q ON q.seq <= 1 + ${h('k', 'm.id')} % 3
        WHERE m.id BETWEEN ? AND ? AND m.last_purchase_at IS NOT NULL`,
      [from, to],
    );
    progress(
      `seeding purchases: members up to ${Math.min(to, lastId).toLocaleString('en')}, ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  // Grants: coupon messages for 35 % (a third of them spent), reactivation 15 %, birthday 10 %. Inserted in a
  // shuffled member order, as accepts arrive in real life: grant ids say nothing about member ids.
  for (const [kind, share] of [
    ['coupon_arrived', 35],
    ['reactivation', 15],
    ['birthday', 10],
  ] as const) {
    await pool.query(
      `INSERT INTO message_grant (member_id, template_id, remaining, accepted_total, updated_at)
       SELECT id, ?, ${h(`r${kind}`, 'id')} % 3, 2, UTC_TIMESTAMP() FROM member
        WHERE ${h(`g${kind}`, 'id')} % 100 < ? ORDER BY ${h(`s${kind}`, 'id')}`,
      [TEMPLATES[kind], share],
    );
    progress(`seeding grants: ${kind}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  // Switches: 3 % turned coupon messages off, 2 % turned them back on (a row with enabled = 1).
  await pool.query(
    `INSERT INTO message_preference (member_id, kind, enabled, updated_at)
     SELECT id, 'coupon_arrived', ${h('o', 'id')} % 100 >= 3, UTC_TIMESTAMP() FROM member WHERE ${h('o', 'id')} % 100 < 5`,
  );
  await pool.query('ANALYZE TABLE member, purchase, message_grant, message_preference');
  return (performance.now() - started) / 1000;
}

/** The same two counts as the simplest SQL, without the Segments migration's indexes (see the header). */
function baselineSql(filter: AudienceFilter, messageKind: MessageKind | undefined): { size: SqlStatement; reachable: SqlStatement | null } {
  const now = new Date();
  const where = ['m.joined_at IS NOT NULL'];
  const params: unknown[] = [];
  const list = (column: string, values: unknown[] | undefined) => {
    if (!values) return;
    where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  list('m.tier', filter.tiers);
  list('m.lifecycle_status', filter.lifecycleStatuses);
  list('m.birthday_month', filter.birthdayMonths);
  if (filter.lastPurchaseDaysMin !== undefined) {
    where.push('m.last_purchase_at < ?');
    params.push(addBusinessDays(now, 1 - filter.lastPurchaseDaysMin, TIME_ZONE));
  }
  if (filter.lastPurchaseDaysMax !== undefined) {
    where.push('m.last_purchase_at >= ?');
    params.push(addBusinessDays(now, -filter.lastPurchaseDaysMax, TIME_ZONE));
  }
  list('r.segment', filter.rfmSegments);
  if (filter.spendFenMin !== undefined) {
    where.push('r.spend_12m_fen >= ?');
    params.push(filter.spendFenMin);
  }
  if (filter.spendFenMax !== undefined) {
    where.push('r.spend_12m_fen <= ?');
    params.push(filter.spendFenMax);
  }
  const usesRfm = Boolean(filter.rfmSegments || filter.spendFenMin !== undefined || filter.spendFenMax !== undefined);
  const rfmJoin = usesRfm ? ` JOIN member_rfm r IGNORE INDEX (${RFM_AUDIENCE_INDEXES.join(', ')}) ON r.member_id = m.id` : '';
  const from = `member m IGNORE INDEX (${MEMBER_AUDIENCE_INDEXES.join(', ')})${rfmJoin}`;
  const size = { sql: `SELECT COUNT(*) FROM ${from} WHERE ${where.join(' AND ')}`, params };
  if (!messageKind) return { size, reachable: null };
  return {
    size,
    reachable: {
      sql:
        `SELECT COUNT(*) FROM ${from} WHERE ${where.join(' AND ')}` +
        ` AND EXISTS (SELECT 1 FROM message_grant g IGNORE INDEX (${GRANT_REACH_INDEX})` +
        ' WHERE g.member_id = m.id AND g.template_id = ? AND g.remaining > 0)' +
        ' AND NOT EXISTS (SELECT 1 FROM message_preference p WHERE p.member_id = m.id AND p.kind = ? AND p.enabled = 0)',
      params: [...params, TEMPLATES[messageKind], messageKind],
    },
  };
}

async function median(times: number, run: () => Promise<void>): Promise<number> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    took.push(performance.now() - started);
  }
  took.sort((a, b) => a - b);
  return took[Math.floor(took.length / 2)];
}

const round = (value: number) => Number(value.toFixed(1));

function progress(line: string): void {
  process.stdout.write(`\r  ${line}   `);
}

function done(line: string): void {
  process.stdout.write(`\r  ${line}${' '.repeat(20)}\n`);
}

function printTable(table: Array<Record<string, unknown>>): void {
  const columns = ['id', 'select_type', 'table', 'type', 'possible_keys', 'key', 'key_len', 'ref', 'rows', 'Extra'];
  const cell = (value: unknown) => (value === null || value === undefined ? 'NULL' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...table.map((row) => cell(row[c]).length)));
  const line = (values: string[]) => `    ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')}\n`;
  process.stdout.write(line(columns));
  for (const row of table) process.stdout.write(line(columns.map((c) => cell(row[c]))));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
