// npm run bench -- issue [--members 1000000]
// A campaign to every member: 1,000,000 joined members in MariaDB, one coupon each. Ours: the campaign created
// and launched over the admin API, then issued by one scheduler pass on the built server (POST
// /api/test/jobs/campaigns, test mode): the audience into campaign_member and the coupons set-based, in member id
// chunks with a checkpoint, stock taken per chunk. Baseline, same run, same database: one plain INSERT … SELECT of
// 1,000,000 coupon rows (in 100 k id chunks), the cheapest way to put a coupon in every wallet.
// ratio = baseline time / our time (goal ≥ 0.5). Then two more passes at once must issue nothing (the rerun
// time), and violations = members issued twice + members missed.
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { campaignBody, cashOffTemplateBody } from '../support/fixtures';
import { startStack } from '../support/stack';
import { numberArg, report } from './harness';

const SEED_CHUNK = 100_000;
const BASELINE_CHUNK = 100_000;
const progress = (line: string) => process.stdout.write(`\r  ${line}${' '.repeat(12)}`);
const done = (line: string) => process.stdout.write(`\r  ${line}${' '.repeat(40)}\n`);

async function main(): Promise<void> {
  const memberCount = numberArg('members', 1_000_000);
  process.stdout.write(`issue benchmark: a campaign coupon to each of ${memberCount.toLocaleString('en')} members\n`);
  const stack = await startStack({
    database: 'mariadb',
    staff: [{ user: 'bench-admin', role: 'admin' }],
    env: { CAMPAIGN_SCHEDULER_EVERY_SECONDS: '0', MESSAGE_SENDER_EVERY_SECONDS: '0' },
  });
  const pool: Pool = createPool({ uri: stack.databaseUrl!, connectionLimit: 4, timezone: 'Z' });
  const one = async (sql: string, params: unknown[] = []) =>
    Number(Object.values(((await pool.query<RowDataPacket[]>(sql, params))[0] as Array<Record<string, unknown>>)[0])[0]);
  try {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('bench-admin')).token;
    const call = async (method: string, path: string, body?: unknown) => {
      const answer = await api.call(method, path, { token: admin, body });
      if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    };

    // 1. Members, from MariaDB's sequence engine.
    let started = performance.now();
    for (let from = 1; from <= memberCount; from += SEED_CHUNK) {
      const to = Math.min(memberCount, from + SEED_CHUNK - 1);
      await pool.query(
        `INSERT INTO member (openid, joined_at, privacy_accepted_at, privacy_policy_version, version)
         SELECT CONCAT('bench-', seq), '2025-06-01', '2025-06-01', 'bench', 1 FROM seq_${from}_to_${to}`,
      );
      progress(`seeding members: ${to.toLocaleString('en')} / ${memberCount.toLocaleString('en')}`);
    }
    await pool.query('ANALYZE TABLE member');
    done(`seeded ${memberCount.toLocaleString('en')} members in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const ours = await call('POST', '/admin/coupon-templates', cashOffTemplateBody({ name: '全员回馈券', totalStock: memberCount * 2 }));
    const baselineTemplate = await call(
      'POST',
      '/admin/coupon-templates',
      cashOffTemplateBody({ name: 'bench baseline', totalStock: memberCount * 2 }),
    );

    // 2. Baseline.
    const lastMemberId = await one('SELECT MAX(id) FROM member');
    started = performance.now();
    let baselineRows = 0;
    for (let from = 1; from <= lastMemberId; from += BASELINE_CHUNK) {
      const [result] = await pool.query(
        `INSERT INTO coupon (template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key,
                             claimed_at, created_at, updated_at)
         SELECT ?, m.id, 1, CONCAT('8', LPAD(m.id, 15, '0')), 'available', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 7 DAY,
                'bench-baseline', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP()
           FROM member m WHERE m.id BETWEEN ? AND ? AND m.joined_at IS NOT NULL`,
        [baselineTemplate.id, from, from + BASELINE_CHUNK - 1],
      );
      baselineRows += (result as { affectedRows: number }).affectedRows;
      progress(`baseline INSERT … SELECT: ${baselineRows.toLocaleString('en')} coupon rows`);
    }
    const baselineSeconds = (performance.now() - started) / 1000;
    done(`baseline: ${baselineRows.toLocaleString('en')} coupon rows in ${baselineSeconds.toFixed(2)} s`);

    // 3. Ours: create, launch, one scheduler pass issues the whole run.
    const campaign = await call(
      'POST',
      '/admin/campaigns',
      campaignBody({ name: '全员回馈', couponTemplateId: ours.id, idempotencyKey: 'bench-issue-campaign' }),
    );
    started = performance.now();
    await call('POST', `/admin/campaigns/${campaign.id}/launch`);
    const watching = setInterval(() => {
      void one('SELECT targeted FROM campaign_run WHERE campaign_id = ?', [campaign.id])
        .then((n) =>
          progress(
            `ours: ${n.toLocaleString('en')} / ${memberCount.toLocaleString('en')} members issued, ` +
              `${((performance.now() - started) / 1000).toFixed(0)} s`,
          ),
        )
        .catch(() => undefined);
    }, 1000);
    await call('POST', '/test/jobs/campaigns').finally(() => clearInterval(watching));
    const oursSeconds = (performance.now() - started) / 1000;
    const [run] = (await call('GET', `/admin/campaigns/${campaign.id}`)).runs;
    done(
      `ours: ${run.targeted.toLocaleString('en')} targeted, ${run.couponsIssued.toLocaleString('en')} coupons ` +
        `in ${oursSeconds.toFixed(2)} s (${run.status})`,
    );

    // 4. Reruns: two more passes at once issue nothing.
    started = performance.now();
    await Promise.all([call('POST', '/test/jobs/campaigns'), call('POST', '/test/jobs/campaigns')]);
    const rerunSeconds = (performance.now() - started) / 1000;
    const after = (await call('GET', `/admin/campaigns/${campaign.id}`)).runs;
    done(
      `reruns: ${after.length} run, ${after[0].couponsIssued.toLocaleString('en')} coupons after two more passes at once, ` +
        `${rerunSeconds.toFixed(2)} s`,
    );

    const twice = await one(
      'SELECT COUNT(*) FROM (SELECT member_id FROM coupon WHERE template_id = ? GROUP BY member_id HAVING COUNT(*) > 1) x',
      [ours.id],
    );
    const issued = await one('SELECT COUNT(DISTINCT member_id) FROM coupon WHERE template_id = ?', [ours.id]);
    const joined = await one('SELECT COUNT(*) FROM member WHERE joined_at IS NOT NULL');
    const missed = joined - issued;
    done(`check: ${issued.toLocaleString('en')} members hold the coupon, ${twice} twice, ${missed} missed`);

    report({
      name: 'issue',
      ours: Number((1 / oursSeconds).toFixed(6)),
      baseline: Number((1 / baselineSeconds).toFixed(6)),
      unit: 'runs/s (1 / seconds to put a coupon in every wallet)',
      violations: twice + missed + (after.length - 1) + (after[0].couponsIssued - run.couponsIssued),
      params: { members: memberCount, chunkMemberIds: 20_000, database: 'mariadb' },
      oursSeconds: Number(oursSeconds.toFixed(2)),
      baselineSeconds: Number(baselineSeconds.toFixed(2)),
      rerunSeconds: Number(rerunSeconds.toFixed(2)),
    });
  } finally {
    await pool.end();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
