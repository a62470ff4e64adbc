// npm run bench -- claim [--seconds 4] [--low 32] [--high 512]
// A flash claim on one hot coupon template. Ours: POST /api/coupons/templates/:id/claim over HTTP on the
// built server and MariaDB (session check, eligibility, per-member limit, stock, claim row). Baseline, same
// run, same concurrency, same database: the claim as a raw mysql2 transaction (conditional stock UPDATE +
// claim INSERT) on a second template. Both at a low and a high concurrency, to show the curve does not collapse.
import { randomInt } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { startStack } from '../support/stack';
import { leanClient, numberArg, report, runLoad, type LoadResult } from './harness';

const PER_MEMBER_LIMIT = 100;

async function main(): Promise<void> {
  const seconds = numberArg('seconds', 4);
  const low = numberArg('low', 32);
  const high = numberArg('high', 512);
  const memberCount = high;
  process.stdout.write(`claim benchmark: ${memberCount} members, concurrency ${low} and ${high}, ${seconds} s per run\n`);

  const stack = await startStack({ database: 'mariadb', staff: [{ user: 'bench-admin', role: 'admin' }], env: { DATABASE_POOL_SIZE: '32' } });
  const pool: Pool = createPool({ uri: stack.databaseUrl!, connectionLimit: 32, timezone: 'Z' });
  try {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('bench-admin')).token;
    const templateBody = (name: string) => ({
      name,
      terms: { kind: 'cash_off', valueFen: 2000, thresholdFen: 20000, percentPermille: null, capFen: null, giftName: null, stacksWithMemberDiscount: false },
      totalStock: 10_000_000,
      perMemberLimit: PER_MEMBER_LIMIT,
      validity: { type: 'relative', validDays: 7 },
      claimStartsAt: new Date(Date.now() - 60_000).toISOString(),
      claimEndsAt: new Date(Date.now() + 3_600_000).toISOString(),
      audience: 'all',
    });
    const ours = (await api.call('POST', '/admin/coupon-templates', { token: admin, body: templateBody('bench ours') })).body.id as number;
    const baselineTemplate = (await api.call('POST', '/admin/coupon-templates', { token: admin, body: templateBody('bench baseline') })).body.id as number;

    process.stdout.write(`  logging in ${memberCount} members…\n`);
    const members: Array<{ token: string; id: number }> = [];
    for (let i = 0; i < memberCount; i += 32) {
      const batch = await Promise.all(Array.from({ length: Math.min(32, memberCount - i) }, (_, j) => api.login(`claimer-${i + j}`)));
      members.push(...batch.map((s) => ({ token: s.token, id: s.member.id as number })));
    }
    await pool.query("UPDATE member SET joined_at = UTC_TIMESTAMP(), privacy_accepted_at = UTC_TIMESTAMP(), privacy_policy_version = 'bench' WHERE openid <> ''");

    const http = leanClient(stack.serverUrl, high);
    // Worker w claims for members w, w+C, w+2C…: no two workers race for one member's limit.
    let keySeq = 0;
    const oursClaim = (concurrency: number) => {
      const turn = new Array<number>(concurrency).fill(0);
      return async (worker: number) => {
        const mine = Math.max(1, Math.floor(members.length / concurrency));
        const member = members[worker + concurrency * (turn[worker]++ % mine)];
        const answer = await http('POST', `/coupons/templates/${ours}/claim`, { token: member.token, body: { idempotencyKey: `bench-${++keySeq}-${worker}` } });
        return answer.status === 200;
      };
    };
    const seqOf = new Map<number, number>();
    const baselineClaim = (concurrency: number) => {
      const turn = new Array<number>(concurrency).fill(0);
      return async (worker: number) => {
        const mine = Math.max(1, Math.floor(members.length / concurrency));
        const member = members[worker + concurrency * (turn[worker]++ % mine)];
        const seq = (seqOf.get(member.id) ?? 0) + 1;
        if (seq > PER_MEMBER_LIMIT) return false;
        seqOf.set(member.id, seq);
        const connection = await pool.getConnection();
        try {
          await connection.beginTransaction();
          const [update] = await connection.query('UPDATE coupon_template SET claimed_count = claimed_count + 1 WHERE id = ? AND claimed_count < total_stock', [baselineTemplate]);
          if ((update as { affectedRows: number }).affectedRows !== 1) throw new Error('out of stock');
          await connection.query(
            'INSERT INTO coupon (template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key, claimed_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 7 DAY, ?, UTC_TIMESTAMP())',
            [baselineTemplate, member.id, seq, `8${String(randomInt(0, 1e8)).padStart(8, '0')}${String(randomInt(0, 1e7)).padStart(7, '0')}`, 'available', `base-${++keySeq}`],
          );
          await connection.commit();
          return true;
        } catch (error) {
          await connection.rollback();
          throw error;
        } finally {
          connection.release();
        }
      };
    };

    await runLoad('warm-up', low, 1, oursClaim(low));
    const runs: Record<string, LoadResult> = {};
    for (const concurrency of [low, high]) {
      runs[`ours@${concurrency}`] = await runLoad(`ours: HTTP claim @${concurrency}`, concurrency, seconds, oursClaim(concurrency));
      runs[`baseline@${concurrency}`] = await runLoad(`baseline: raw mysql2 claim @${concurrency}`, concurrency, seconds, baselineClaim(concurrency));
    }

    // Correctness after the storm: stock counters match the rows, nobody above the limit.
    const [counters] = await pool.query(
      'SELECT t.id, t.claimed_count, t.total_stock, (SELECT COUNT(*) FROM coupon c WHERE c.template_id = t.id) AS rows_ FROM coupon_template t WHERE t.id IN (?, ?)',
      [ours, baselineTemplate],
    );
    let oversold = 0;
    for (const row of counters as Array<{ claimed_count: number; total_stock: number; rows_: number }>) {
      if (Number(row.rows_) !== Number(row.claimed_count) || Number(row.claimed_count) > Number(row.total_stock)) oversold++;
    }
    const [overLimit] = await pool.query('SELECT COUNT(*) AS n FROM (SELECT member_id FROM coupon WHERE template_id = ? GROUP BY member_id HAVING COUNT(*) > ?) x', [ours, PER_MEMBER_LIMIT]);
    const overLimitCount = Number((overLimit as Array<{ n: number }>)[0].n);

    const oursLow = runs[`ours@${low}`];
    const oursHigh = runs[`ours@${high}`];
    report({
      name: 'claim',
      ours: oursLow.perSecond,
      baseline: runs[`baseline@${low}`].perSecond,
      unit: 'claims/s',
      violations: oversold + overLimitCount,
      params: { members: memberCount, concurrency: [low, high], seconds, database: 'mariadb', serverPool: 32, baselinePool: 32 },
      oversold,
      overLimit: overLimitCount,
      ratioAtHigh: Number((oursHigh.perSecond / runs[`baseline@${high}`].perSecond).toFixed(3)),
      highVsPeak: Number((oursHigh.perSecond / Math.max(oursLow.perSecond, oursHigh.perSecond)).toFixed(3)),
      runs,
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
