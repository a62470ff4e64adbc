// npm run bench -- dashboard [--members 1000000] [--days 7] [--requests 1000] [--concurrency 4]
// The metrics dashboard (数据看板) on a chain with 1,000,000 members. Seeded into MariaDB with set-based INSERTs
// (MariaDB's sequence engine): members joined over two years (tiers, lifecycle statuses), 1-3 purchases each
// for the 70 % who bought (three stores, 3 % refunded in full), an earn line in the points ledger per purchase
// and a burn for one in ten, a coupon for a third of the members (half of them past their validity), the RFM
// segment of every member. Then:
// - the snapshot job for today over HTTP (POST /api/staff/metrics/backfill, one day: every figure, the monthly
//   segment snapshot of 1 M members, the cohorts), and the days before it up to --days (their time reported);
// - ours: GET /api/staff/metrics/dashboard for those days over HTTP through the real server, as an admin
//   (chain) and for one store, --requests each at --concurrency;
// - baseline, same run: the same rows read from the one snapshot table with raw SQL through mysql2 (the
//   dashboard's own statement, no server in between), same count and concurrency.
// The ratio is requests/s of ours ÷ baseline (higher is better); the target is p99 ≤ 200 ms for ours.
// Violations: a dashboard answer other than 200, or KPIs that differ from the raw rows.
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import type { DashboardResponse, MetricsBackfillResponse } from '@member/shared';
import { kpiDefinitions, metricsRead } from '../../server/src/metrics/dashboard-kpis';
import { TestApi } from '../support/api-client';
import { startStack } from '../support/stack';
import { leanClient, numberArg, report, runBatch } from './harness';

const SEED_CHUNK = 100_000;
const TARGET_P99_MS = 200;

async function main(): Promise<void> {
  const memberCount = numberArg('members', 1_000_000);
  const days = numberArg('days', 7);
  const requests = numberArg('requests', 1000);
  const concurrency = numberArg('concurrency', 4);
  process.stdout.write(
    `dashboard benchmark: ${memberCount.toLocaleString('en')} members, ${days} days snapshotted, ` +
      `${requests} dashboard reads at ${concurrency} at once\n`,
  );
  const stack = await startStack({
    database: 'mariadb',
    staff: [
      { user: 'bench-dash-hq', role: 'admin' },
      { user: 'bench-dash-mgr', role: 'store_manager', stores: ['S001'] },
    ],
  });
  const pool: Pool = createPool({ uri: stack.databaseUrl!, connectionLimit: concurrency, timezone: 'Z' });
  const rows = async <T>(sql: string, params: unknown[] = []) => (await pool.query<RowDataPacket[]>(sql, params))[0] as T[];
  try {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('bench-dash-hq')).token;
    const manager = (await api.login('bench-dash-mgr')).token;
    const seedSeconds = await seed(pool, memberCount);
    const counted = async (table: string) =>
      Number(Object.values((await rows<Record<string, unknown>>(`SELECT COUNT(*) FROM ${table}`))[0])[0]);
    const counts = {
      members: await counted('member'),
      purchases: await counted('purchase'),
      ledgerLines: await counted('points_ledger'),
      coupons: await counted('coupon'),
      rfm: await counted('member_rfm'),
    };
    done(
      `seeded in ${seedSeconds.toFixed(1)} s: ${Object.entries(counts)
        .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
        .join(', ')}`,
    );

    // The snapshot job: today first (with the month's segment snapshot), then the days before.
    const dayList = Array.from({ length: days }, (_, i) => shanghaiDay(-i));
    const snapshotMs: number[] = [];
    const slowest: Record<string, MetricsBackfillResponse['slowest']> = {};
    for (const day of dayList) {
      const started = performance.now();
      const ticking = setInterval(() => progress(`snapshot of ${day}: ${((performance.now() - started) / 1000).toFixed(0)} s`), 1000);
      const answer = await api
        .call<MetricsBackfillResponse>('POST', '/staff/metrics/backfill', { token: admin, body: { from: day, to: day } })
        .finally(() => clearInterval(ticking));
      if (answer.status !== 200) throw new Error(`snapshot ${day}: ${answer.status} ${JSON.stringify(answer.body)}`);
      snapshotMs.push(Math.round(performance.now() - started));
      slowest[day] = answer.body.slowest;
      done(
        `snapshot job, ${day}: ${(snapshotMs[snapshotMs.length - 1] / 1000).toFixed(1)} s` +
          (day === dayList[0] ? ' (today: with the segment snapshot)' : ''),
      );
    }
    for (const { statement, ms } of slowest[dayList[0]] ?? []) process.stdout.write(`    ${ms} ms  ${statement}…\n`);
    const metricRows = await counted('metric_day');
    done(
      `snapshot tables: ${metricRows.toLocaleString('en')} metric_day rows, ` +
        `${(await counted('member_segment_month')).toLocaleString('en')} segment rows`,
    );

    const from = dayList[dayList.length - 1];
    const to = dayList[0];
    const http = leanClient(stack.serverUrl, concurrency * 2);
    let violations = 0;

    // Correctness once: the API's tile for sales equals the sum of the raw rows.
    const check = await http('GET', `/staff/metrics/dashboard?from=${from}&to=${to}`, { token: admin });
    const dashboard = check.body as DashboardResponse;
    const [raw] = await rows<{ v: number | string }>(
      "SELECT SUM(value) AS v FROM metric_day WHERE store_code = '' AND metric = 'member_sales_fen' AND day >= ? AND day <= ?",
      [from, to],
    );
    if (check.status !== 200 || dashboard.kpis.find((k) => k.key === 'member_sales')?.value !== Number(raw.v)) violations++;
    process.stdout.write(
      `  KPIs (${from} … ${to}): ${dashboard.kpis
        .slice(0, 8)
        .map((k) => `${k.label} ${k.value}`)
        .join(', ')} …\n`,
    );

    const warm = async (n: number, op: () => Promise<unknown>) => {
      for (let i = 0; i < n; i++) await op();
    };
    const dashboardCall = (token: string, query: string) => async () => {
      const answer = await http('GET', `/staff/metrics/dashboard?${query}`, { token });
      if (answer.status !== 200) violations++;
      return answer.status === 200;
    };
    // Exactly the metric_day names the chain dashboard reads.
    const metrics = metricsRead(
      kpiDefinitions({ pointsPerYuan: 100, targets: { pointsRedemptionPermille: 300, messageReachPermille: 800 } }),
    );
    const rawRead = (store: string) => async () => {
      await pool.query(
        `SELECT day, metric, value FROM metric_day
          WHERE store_code = ? AND day >= ? AND day <= ? AND metric IN (${metrics.map(() => '?').join(', ')})`,
        [store, from, to, ...metrics],
      );
      return true;
    };
    await warm(50, dashboardCall(admin, `from=${from}&to=${to}`));
    await warm(50, rawRead(''));
    const oursChain = await runBatch(
      'ours: dashboard API, chain (admin)',
      concurrency,
      requests,
      dashboardCall(admin, `from=${from}&to=${to}`),
    );
    const baseChain = await runBatch('baseline: raw SQL, chain rows', concurrency, requests, rawRead(''));
    const oursStore = await runBatch(
      'ours: dashboard API, store S001 (manager)',
      concurrency,
      requests,
      dashboardCall(manager, `from=${from}&to=${to}&store=S001`),
    );
    const baseStore = await runBatch('baseline: raw SQL, S001 rows', concurrency, requests, rawRead('S001'));
    violations += oursChain.failures + oursStore.failures;
    const p99 = Math.max(oursChain.p99Ms, oursStore.p99Ms);
    process.stdout.write(
      `\n  p99 target ≤ ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'} (${p99} ms); ` +
        `p50 ours ${oursChain.p50Ms} ms vs raw SQL ${baseChain.p50Ms} ms\n`,
    );
    report({
      name: 'dashboard',
      ours: oursChain.perSecond,
      baseline: baseChain.perSecond,
      unit: 'reads/s',
      violations,
      params: { members: memberCount, days, requests, concurrency, counts, metricDayRows: metricRows },
      seedSeconds: Number(seedSeconds.toFixed(1)),
      snapshotMs: Object.fromEntries(dayList.map((day, i) => [day, snapshotMs[i]])),
      snapshotTodayMs: snapshotMs[0],
      snapshotSlowestStatements: slowest[dayList[0]],
      latencyMs: {
        oursChain: { p50: oursChain.p50Ms, p99: oursChain.p99Ms },
        baselineChain: { p50: baseChain.p50Ms, p99: baseChain.p99Ms },
        oursStore: { p50: oursStore.p50Ms, p99: oursStore.p99Ms },
        baselineStore: { p50: baseStore.p50Ms, p99: baseStore.p99Ms },
      },
      storeRatio: Number((oursStore.perSecond / baseStore.perSecond).toFixed(3)),
      p99TargetMs: TARGET_P99_MS,
      p99TargetMet: p99 <= TARGET_P99_MS,
    });
  } finally {
    await pool.end();
    await stack.stop();
  }
}

/** The Shanghai business date `offset` days from today (UTC+8 all year). */
function shanghaiDay(offset: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);
}

async function seed(pool: Pool, memberCount: number): Promise<number> {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  const h = (salt: string, expression: string) => `CRC32(CONCAT('${salt}', ${expression}))`;
  for (let from = 1; from <= memberCount; from += SEED_CHUNK) {
    const to = Math.min(memberCount, from + SEED_CHUNK - 1);
    await pool.query(
      `INSERT INTO member
         (openid, joined_at, privacy_accepted_at, privacy_policy_version, tier, lifecycle_status, last_purchase_at, version)
       SELECT CONCAT('dash-', s.seq), s.joined, s.joined, 'bench',
              CASE WHEN s.t < 3 THEN 'diamond' WHEN s.t < 15 THEN 'gold' WHEN s.t < 40 THEN 'silver' ELSE 'normal' END,
              CASE WHEN s.p >= 70 THEN 'new' WHEN s.d >= 180 THEN 'churned' WHEN s.d >= 90 THEN 'dormant'
                   WHEN s.t % 4 = 0 THEN 'regular' ELSE 'active' END,
              IF(s.p >= 70, NULL, GREATEST(s.joined, UTC_TIMESTAMP() - INTERVAL s.d DAY - INTERVAL (s.b % 86400) SECOND)), 1
         FROM (SELECT seq, ${h('b', 'seq')} AS b, ${h('t', 'seq')} % 100 AS t, ${h('p', 'seq')} % 100 AS p, ${h('d', 'seq')} % 120 AS d,
                      UTC_TIMESTAMP() - INTERVAL (${h('j', 'seq')} % 730) DAY - INTERVAL (${h('s', 'seq')} % 86400) SECOND AS joined
                 FROM seq_${from}_to_${to}) s`,
    );
    progress(`seeding members: ${to.toLocaleString('en')} / ${memberCount.toLocaleString('en')}, ${elapsed()}`);
  }
  const lastId = Number((await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM member'))[0][0].id);
  for (let from = 1; from <= lastId; from += SEED_CHUNK) {
    const to = from + SEED_CHUNK - 1;
    // The last purchase at the member's last_purchase_at, the others 7-36 days before; 3 % refunded in full.
    const paid = `(1000 + ${h('a', "CONCAT(m.id, '-', q.seq)")} % 50000)`;
    await pool.query(
      `INSERT INTO purchase
         (member_id, staff_openid, idempotency_key, store_code, gross_fen, paid_fen, refunded_fen, points_earned, purchased_at)
       SELECT m.id, 'o-bench', CONCAT(m.id, '-', q.seq), ELT(1 + ${h('st', "CONCAT(m.id, '-', q.seq)")} % 3, 'S001', 'S002', 'S003'),
              ${paid}, ${paid}, IF(${h('r', "CONCAT(m.id, '-', q.seq)")} % 100 < 3, ${paid}, 0), ${paid} DIV 100,
              m.last_purchase_at - INTERVAL ((q.seq - 1) * (7 + m.id % 30)) DAY
         FROM member m JOIN seq_1_to_3 q ON q.seq <= 1 + ${h('k', 'm.id')} % 3
        WHERE m.id BETWEEN ? AND ? AND m.last_purchase_at IS NOT NULL`,
      [from, to],
    );
    progress(`seeding purchases: members up to ${Math.min(to, lastId).toLocaleString('en')}, ${elapsed()}`);
  }
  const lastPurchase = Number((await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM purchase'))[0][0].id);
  for (let from = 1; from <= lastPurchase; from += SEED_CHUNK) {
    const to = from + SEED_CHUNK - 1;
    await pool.query(
      `INSERT INTO points_ledger (member_id, delta, balance_after, reason, source_key, purchase_id, expires_at, created_at)
       SELECT p.member_id, p.points_earned, p.points_earned, 'earn', CONCAT('purchase:', p.id, ':earn'), p.id,
              p.purchased_at + INTERVAL 1 YEAR, p.purchased_at
         FROM purchase p WHERE p.id BETWEEN ? AND ?`,
      [from, to],
    );
    await pool.query(
      `INSERT INTO points_ledger (member_id, delta, balance_after, reason, source_key, purchase_id, expires_at, created_at)
       SELECT p.member_id, -LEAST(100, p.points_earned), 0, 'burn', CONCAT('purchase:', p.id, ':burn'), p.id, NULL,
              p.purchased_at + INTERVAL 1 SECOND
         FROM purchase p WHERE p.id BETWEEN ? AND ? AND p.id % 10 = 0`,
      [from, to],
    );
    progress(`seeding points ledger: purchases up to ${Math.min(to, lastPurchase).toLocaleString('en')}, ${elapsed()}`);
  }
  await pool.query(
    `INSERT INTO coupon_template (name, kind, value_fen, threshold_fen, total_stock, per_member_limit, validity_type, valid_days,
                                  claim_starts_at, claim_ends_at, audience)
     VALUES ('满100减10', 'cash_off', 1000, 10000, 10000000, 1, 'relative', 14,
             UTC_TIMESTAMP() - INTERVAL 60 DAY, UTC_TIMESTAMP() + INTERVAL 60 DAY, 'all')`,
  );
  const [template] = (await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM coupon_template'))[0];
  for (let from = 1; from <= lastId; from += SEED_CHUNK) {
    const to = from + SEED_CHUNK - 1;
    await pool.query(
      `INSERT INTO coupon (template_id, member_id, seq, code, status, valid_from, valid_until, claimed_at)
       SELECT ?, c.id, 1, CONCAT('B', c.id), 'available', c.claimed, c.claimed + INTERVAL 14 DAY, c.claimed
         FROM (SELECT id, UTC_TIMESTAMP() - INTERVAL (${h('c', 'id')} % 28) DAY - INTERVAL (${h('cs', 'id')} % 86400) SECOND AS claimed
                 FROM member WHERE id BETWEEN ? AND ? AND id % 3 = 0) c`,
      [template.id, from, to],
    );
    progress(`seeding coupons: members up to ${Math.min(to, lastId).toLocaleString('en')}, ${elapsed()}`);
  }
  const segments = ['high_value', 'loyal', 'potential', 'new', 'at_risk', 'needs_attention', 'lapsed', 'never_purchased'];
  for (let from = 1; from <= lastId; from += SEED_CHUNK * 5) {
    const to = from + SEED_CHUNK * 5 - 1;
    await pool.query(
      `INSERT INTO member_rfm (member_id, recency_days, frequency, monetary_fen, spend_12m_fen, segment, computed_at)
       SELECT id, NULL, 0, 0, 0,
              ELT(1 + ${h('seg', 'id')} % ${segments.length}, ${segments.map((s) => `'${s}'`).join(', ')}), UTC_TIMESTAMP()
         FROM member WHERE id BETWEEN ? AND ?`,
      [from, to],
    );
    progress(`seeding RFM segments: members up to ${Math.min(to, lastId).toLocaleString('en')}, ${elapsed()}`);
  }
  await pool.query('ANALYZE TABLE member, purchase, points_ledger, coupon, member_rfm');
  return (performance.now() - started) / 1000;
}

function progress(line: string): void {
  process.stdout.write(`\r  ${line}   `);
}

function done(line: string): void {
  process.stdout.write(`\r  ${line}${' '.repeat(20)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
