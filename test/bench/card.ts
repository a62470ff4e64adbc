// npm run bench -- card [--concurrency 32] [--seconds 5] [--members 200]
// The member card is the page every shopper opens at the till. Ours: GET /api/members/me/card over HTTP
// (session check, member, tier-window spend and usable coupons) on the built server and MariaDB.
// Baseline, same run, same concurrency: GET /api/test/ping, a bare authenticated route in the same server
// process (the same JWT guard, no database), so the ratio is what the card's own work costs over HTTP.
// Context, same run: a raw mysql2 primary-key SELECT of the member row, and the card at half of its peak
// rate (open loop, latency from each request's scheduled start) for the p99 goal.
import { createPool } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { startStack } from '../support/stack';
import { leanClient, numberArg, report, runLoad, runPaced } from './harness';

async function main(): Promise<void> {
  const concurrency = numberArg('concurrency', 32);
  const seconds = numberArg('seconds', 5);
  const memberCount = numberArg('members', 200);
  process.stdout.write(`card benchmark: ${memberCount} members, ${concurrency} concurrent, ${seconds} s each side\n`);

  const stack = await startStack({ database: 'mariadb', env: { DATABASE_POOL_SIZE: String(concurrency) } });
  try {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const members: Array<{ token: string; id: number }> = [];
    for (let i = 0; i < memberCount; i++) {
      const session = await api.login(`bench-${i}`);
      members.push({ token: session.token, id: session.member.id });
    }

    const http = leanClient(stack.serverUrl, concurrency);
    let violations = 0;
    // An answer that is not the caller's own would be a leak: counted as a correctness violation.
    const cardOf = async (n: number) => {
      const member = members[n % members.length];
      const answer = await http('GET', '/members/me/card', { token: member.token });
      if (answer.status === 200 && answer.body.member.id !== member.id) violations++;
      return answer.status === 200;
    };
    const pingOf = async (n: number) => {
      const member = members[n % members.length];
      const answer = await http('GET', '/test/ping', { token: member.token });
      if (answer.status === 200 && answer.body.memberId !== member.id) violations++;
      return answer.status === 200;
    };
    const counters = new Array<number>(concurrency).fill(0);
    const next = (w: number) => w * 7919 + counters[w]++;

    await runLoad('warm-up', concurrency, 1, (w) => cardOf(next(w)));
    const ours = await runLoad('ours: GET /api/members/me/card', concurrency, seconds, (w) => cardOf(next(w)));
    await runLoad('warm-up', concurrency, 1, (w) => pingOf(next(w)));
    const bare = await runLoad('baseline: GET /api/test/ping (JWT only)', concurrency, seconds, (w) => pingOf(next(w)));

    const halfRate = Math.max(1, Math.round(ours.perSecond / 2));
    const half = await runPaced(`ours at half of peak (${halfRate}/s)`, halfRate, seconds, concurrency, (i) => cardOf(i * 7919));

    const pool = createPool({ uri: stack.databaseUrl!, connectionLimit: concurrency, timezone: 'Z' });
    const rowOf = async (n: number) => {
      const member = members[n % members.length];
      const [rows] = await pool.query('SELECT * FROM member WHERE id = ?', [member.id]);
      return (rows as unknown[]).length === 1;
    };
    await runLoad('warm-up', concurrency, 1, (w) => rowOf(next(w)));
    const raw = await runLoad('context: raw mysql2 SELECT', concurrency, seconds, (w) => rowOf(next(w)));
    await pool.end();

    const ratio = ours.perSecond / bare.perSecond;
    process.stdout.write(
      `goals: ratio ≥ 0.4 against the bare route (${ratio.toFixed(3)}), p99 ≤ 30 ms at half of peak (${half.p99Ms} ms)\n`,
    );
    report({
      name: 'card',
      ours: ours.perSecond,
      baseline: bare.perSecond,
      unit: 'requests/s',
      violations: violations + ours.failures + bare.failures + half.failures + raw.failures,
      params: { members: memberCount, concurrency, seconds, database: 'mariadb', baseline: 'GET /api/test/ping (JWT guard, no database)', halfPeakRate: halfRate },
      oursLatencyMs: { p50: ours.p50Ms, p99: ours.p99Ms },
      baselineLatencyMs: { p50: bare.p50Ms, p99: bare.p99Ms },
      halfPeak: { rate: halfRate, achieved: half.perSecond, p50Ms: half.p50Ms, p99Ms: half.p99Ms },
      rawSql: { perSecond: raw.perSecond, p50Ms: raw.p50Ms, p99Ms: raw.p99Ms, ratio: Number((ours.perSecond / raw.perSecond).toFixed(3)) },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
