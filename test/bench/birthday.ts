// npm run bench -- birthday [--members 1000000] [--month 11]
// The daily birthday job on a full member table. 1,000,000 joined members born evenly over the year are seeded
// into MariaDB; the job then opens one month window (~83,000 members): a coupon, a perk row and double points
// each, set-based in member id chunks. Ours: POST /api/test/jobs/birthday on the built server (test mode, its
// clock set to 00:05 on the 1st of the month), which runs the day's 'birthday-perk' system campaign through the
// campaign runner (campaign_member, coupons, perk ledger, double points and greetings per chunk). Baseline, same
// run, same database: a plain INSERT … SELECT of the same number of coupon rows (100 k id chunks), the cheapest
// way to put one coupon in each of those wallets.
// Afterwards two more runs at once must grant nothing (once a year), and every born-that-month member must
// hold exactly one perk and one birthday coupon.
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { birthdayWindowOpeningOn } from '@member/shared';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { birthdayCandidateParams, birthdayCandidatesSql, birthdaySpanSql } from '../../server/src/birthday/birthday-sql';
import { chunksUpTo } from '../../server/src/campaigns/member-id-chunks';
import { REPO_ROOT } from '../support/processes';
import { startStack } from '../support/stack';
import { numberArg, report } from './harness';

const SEED_CHUNK = 100_000;
const BASELINE_CHUNK = 100_000;
const OURS_TEMPLATE = 1;
const BASELINE_TEMPLATE = 2;
const YEAR = 2026;
/** The runner's chunk span as the benchmark's server runs it: config's default campaigns.chunkMemberIds. */
const CHUNK_ID_SPAN = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'config', 'defaults.json'), 'utf8')) as { campaigns: { chunkMemberIds: number } }
).campaigns.chunkMemberIds;

async function main(): Promise<void> {
  const memberCount = numberArg('members', 1_000_000);
  const month = numberArg('month', 11);
  const opensOn = `${YEAR}-${String(month).padStart(2, '0')}-01`;
  const window = birthdayWindowOpeningOn(opensOn, 'month')!;
  process.stdout.write(`birthday benchmark: ${memberCount.toLocaleString('en')} members, the ${window.key} month window\n`);

  const stack = await startStack({ database: 'mariadb', env: { BIRTHDAY_COUPON_TEMPLATE_ID: String(OURS_TEMPLATE) } });
  const pool: Pool = createPool({ uri: stack.databaseUrl!, connectionLimit: 4, timezone: 'Z' });
  const rows = async <T>(sql: string, params: unknown[] = []) => (await pool.query<RowDataPacket[]>(sql, params))[0] as T[];
  const one = async (sql: string, params: unknown[] = []) =>
    Number(Object.values((await rows<Record<string, unknown>>(sql, params))[0])[0]);
  try {
    for (const [id, name] of [
      [OURS_TEMPLATE, '生日礼券'],
      [BASELINE_TEMPLATE, 'bench baseline'],
    ] as const) {
      await pool.query(
        `INSERT INTO coupon_template (id, name, kind, value_fen, threshold_fen, total_stock, per_member_limit, validity_type, valid_days,
                                      claim_starts_at, claim_ends_at, audience)
         VALUES (?, ?, 'no_threshold', 3000, 0, 10000000, 1, 'relative', 30, '2026-01-01', '2026-01-02', 'all')`,
        [id, name],
      );
    }

    // 1. Members: INSERT … SELECT from MariaDB's sequence engine, born evenly over a leap year (29 Feb included).
    let started = performance.now();
    for (let from = 1; from <= memberCount; from += SEED_CHUNK) {
      const to = Math.min(memberCount, from + SEED_CHUNK - 1);
      await pool.query(
        `INSERT INTO member (openid, joined_at, privacy_accepted_at, privacy_policy_version, birthday, birthday_month, birthday_day,
                             birthday_set_on, version)
         SELECT CONCAT('bench-', s.seq), '2025-06-01', '2025-06-01', 'bench', DATE_FORMAT(s.born, '%Y-%m-%d'), MONTH(s.born), DAY(s.born),
                '2025-06-01', 1
           FROM (SELECT seq, DATE_ADD('1992-01-01', INTERVAL seq % 366 DAY) AS born FROM seq_${from}_to_${to}) s`,
      );
      progress(
        `seeding members: ${to.toLocaleString('en')} / ${memberCount.toLocaleString('en')}, ` +
          `${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
    }
    await pool.query('ANALYZE TABLE member');
    const seedSeconds = (performance.now() - started) / 1000;
    const inWindow = await one(`SELECT COUNT(*) FROM member WHERE birthday_month = ? AND joined_at IS NOT NULL`, [month]);
    done(
      `seeded ${memberCount.toLocaleString('en')} members in ${seedSeconds.toFixed(1)} s; ` +
        `${inWindow.toLocaleString('en')} born in ${window.key.slice(5)}`,
    );

    // 2. The run's look-up, as the runner's chunk statement reads it (first chunk of the window's id span).
    const [span] = await rows<{ first: number; last: number }>(birthdaySpanSql(window.days.length), [month, ...window.days]);
    const firstChunk = Math.floor((Number(span.first) - 1) / CHUNK_ID_SPAN) * CHUNK_ID_SPAN + 1;
    const explain = await rows<Record<string, unknown>>(
      `EXPLAIN ${birthdayCandidatesSql(window.days.length)}`,
      birthdayCandidateParams(window, firstChunk, firstChunk + CHUNK_ID_SPAN - 1),
    );
    const spanExplain = await rows<Record<string, unknown>>(`EXPLAIN ${birthdaySpanSql(window.days.length)}`, [month, ...window.days]);
    process.stdout.write("\nEXPLAIN of the job's birthday look-up (one chunk):\n");
    printTable(explain);
    process.stdout.write("EXPLAIN of the window's id span:\n");
    printTable(spanExplain);
    const usesIndex = explain.some((row) => row.table === 'm' && row.key === 'idx_member_birthday');

    // 3. Baseline: the same number of coupon rows by INSERT … SELECT, in 100 k id chunks.
    // Member ids run past the member count: InnoDB hands bulk inserts auto-increment ids in blocks, with gaps.
    const lastMemberId = await one('SELECT MAX(id) FROM member');
    started = performance.now();
    let baselineRows = 0;
    for (let from = 1; from <= lastMemberId; from += BASELINE_CHUNK) {
      const [result] = await pool.query(
        `INSERT INTO coupon (template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key,
                             claimed_at, created_at, updated_at)
         SELECT ?, m.id, 1, CONCAT('8', LPAD(m.id, 15, '0')), 'available', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 30 DAY,
                'bench-baseline', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP()
           FROM member m WHERE m.birthday_month = ? AND m.birthday_day IN (${window.days.map(() => '?').join(', ')})
            AND m.id BETWEEN ? AND ? AND m.joined_at IS NOT NULL`,
        [BASELINE_TEMPLATE, month, ...window.days, from, from + BASELINE_CHUNK - 1],
      );
      baselineRows += (result as { affectedRows: number }).affectedRows;
      progress(
        `baseline INSERT … SELECT: ${baselineRows.toLocaleString('en')} coupon rows, ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    const baselineSeconds = (performance.now() - started) / 1000;
    done(`baseline: ${baselineRows.toLocaleString('en')} coupon rows in ${baselineSeconds.toFixed(2)} s`);

    // 4. Ours: the job over HTTP, at 00:05 on the 1st in Shanghai, with the run's checkpoint as progress.
    await call(stack.serverUrl, 'POST', '/test/clock', { now: `${opensOn}T00:05:00+08:00` });
    const chunks = chunksUpTo(lastMemberId, CHUNK_ID_SPAN);
    const runOfTheDay =
      'SELECT (SELECT COUNT(*) FROM campaign_run_chunk k WHERE k.run_id = r.id) AS done, r.targeted' +
      " FROM campaign_run r JOIN campaign c ON c.id = r.campaign_id WHERE c.system_key = 'birthday-perk' AND r.period = ?";
    started = performance.now();
    const watching = setInterval(() => {
      void rows<{ done: number }>(runOfTheDay, [opensOn])
        .then(([run]) =>
          progress(
            `ours: birthday run, ${run ? Number(run.done) : 0} / ${chunks} chunks, ${((performance.now() - started) / 1000).toFixed(0)} s`,
          ),
        )
        .catch(() => undefined);
    }, 1000);
    const ours = await call(stack.serverUrl, 'POST', '/test/jobs/birthday').finally(() => clearInterval(watching));
    const oursSeconds = (performance.now() - started) / 1000;
    done(
      `ours: ${ours.perksGranted.toLocaleString('en')} perks, ${ours.couponsIssued.toLocaleString('en')} coupons, ` +
        `${ours.chunksDone} chunks in ${oursSeconds.toFixed(2)} s`,
    );

    // 5. Once a year: two more runs at once (the same day) grant nothing; then check every member of the window.
    started = performance.now();
    const reruns = await Promise.all([
      call(stack.serverUrl, 'POST', '/test/jobs/birthday'),
      call(stack.serverUrl, 'POST', '/test/jobs/birthday'),
    ]);
    const rerunSeconds = (performance.now() - started) / 1000;
    const nextDayStarted = performance.now();
    await call(stack.serverUrl, 'POST', '/test/clock', { now: `${YEAR}-${String(month).padStart(2, '0')}-02T00:05:00+08:00` });
    const nextDay = await call(stack.serverUrl, 'POST', '/test/jobs/birthday');
    const nextDaySeconds = (performance.now() - nextDayStarted) / 1000;
    done(
      `reruns: same day ×2 at once ${reruns.map((r) => r.perksGranted).join(' + ')} perks in ${rerunSeconds.toFixed(2)} s; ` +
        `next day ${nextDay.perksGranted} perks in ${nextDaySeconds.toFixed(2)} s`,
    );

    const doublePerks = await one(
      'SELECT COUNT(*) FROM (SELECT member_id FROM birthday_perk WHERE year = ? GROUP BY member_id HAVING COUNT(*) > 1) x',
      [YEAR],
    );
    const missed = await one(
      'SELECT COUNT(*) FROM member m WHERE m.birthday_month = ? AND m.joined_at IS NOT NULL' +
        ' AND NOT EXISTS (SELECT 1 FROM birthday_perk p WHERE p.member_id = m.id AND p.year = ?)',
      [month, YEAR],
    );
    const strays = await one(
      'SELECT COUNT(*) FROM birthday_perk p JOIN member m ON m.id = p.member_id WHERE p.year = ? AND m.birthday_month <> ?',
      [YEAR, month],
    );
    const withoutCoupon = await one('SELECT COUNT(*) FROM birthday_perk WHERE year = ? AND coupon_id IS NULL', [YEAR]);
    const doubleCoupons = await one(
      'SELECT COUNT(*) FROM (SELECT member_id FROM coupon WHERE idempotency_key = ? GROUP BY member_id HAVING COUNT(*) > 1) x',
      [`birthday:${YEAR}`],
    );
    const stockMismatch = await one(
      'SELECT COUNT(*) FROM coupon_template t' +
        ' WHERE t.id = ? AND t.claimed_count <> (SELECT COUNT(*) FROM coupon c WHERE c.template_id = t.id)',
      [OURS_TEMPLATE],
    );
    const until = `${window.closesOn} 15:59:59`;
    const noDoublePoints = await one(
      'SELECT COUNT(*) FROM member WHERE birthday_month = ? AND joined_at IS NOT NULL' +
        ' AND (double_points_until IS NULL OR double_points_until <> ?)',
      [month, until],
    );
    // Staff's report of the day: the system campaign's run counted every perk once.
    const [reported] = await rows<{ targeted: number }>(runOfTheDay, [opensOn]);
    const reportOff = Number(reported?.targeted ?? -1) === ours.perksGranted ? 0 : 1;
    const grantedAgain = reruns.reduce((sum, r) => sum + r.perksGranted, 0) + nextDay.perksGranted;
    const violations =
      doublePerks +
      missed +
      strays +
      withoutCoupon +
      doubleCoupons +
      stockMismatch +
      noDoublePoints +
      grantedAgain +
      reportOff +
      (ours.perksGranted === baselineRows ? 0 : 1);
    process.stdout.write(
      `checks: two perks in a year ${doublePerks}, missed ${missed}, outside the window ${strays}, ` +
        `perk without coupon ${withoutCoupon}, two birthday coupons ${doubleCoupons}, ` +
        `stock counter off ${stockMismatch}, double points not set ${noDoublePoints}, granted again by reruns ${grantedAgain}, ` +
        `run report off ${reportOff}; look-up uses idx_member_birthday: ${usesIndex}\n`,
    );

    report({
      name: 'birthday',
      ours: Math.round(ours.perksGranted / oursSeconds),
      baseline: Math.round(baselineRows / baselineSeconds),
      unit: 'members/s',
      violations,
      params: {
        members: memberCount,
        window: window.key,
        membersInWindow: inWindow,
        chunkIdSpan: CHUNK_ID_SPAN,
        baselineChunk: BASELINE_CHUNK,
        database: 'mariadb',
      },
      oursSeconds: Number(oursSeconds.toFixed(3)),
      baselineSeconds: Number(baselineSeconds.toFixed(3)),
      perksGranted: ours.perksGranted,
      couponsIssued: ours.couponsIssued,
      chunks: ours.chunksDone,
      rerunSameDayTwiceSeconds: Number(rerunSeconds.toFixed(3)),
      rerunNextDaySeconds: Number(nextDaySeconds.toFixed(3)),
      seedSeconds: Number(seedSeconds.toFixed(1)),
      lookupUsesBirthdayIndex: usesIndex,
      explain,
    });
  } finally {
    await pool.end();
    await stack.stop();
  }
}

interface RunResult {
  perksGranted: number;
  couponsIssued: number;
  chunksDone: number;
  chunksSkipped: number;
}

async function call(serverUrl: string, method: string, path: string, body?: unknown): Promise<RunResult> {
  const response = await fetch(`${serverUrl}/api${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as RunResult;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

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
  const line = (values: string[]) => `  ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')}\n`;
  process.stdout.write(line(columns));
  for (const row of table) process.stdout.write(line(columns.map((c) => cell(row[c]))));
  process.stdout.write('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
