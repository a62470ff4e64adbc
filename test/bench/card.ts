// npm run bench -- card [--concurrency 32] [--seconds 5] [--rounds 3] [--members 200]
// The member card is the page every shopper opens at the till. Ours: GET /api/members/me/card over HTTP
// (session check, member, tier-window spend and usable coupons) on the built server and MariaDB.
// Baseline, same run, same concurrency: GET /api/test/ping, a bare authenticated route in the same server
// process (the same JWT guard, no database), so the ratio is what the card's own work costs over HTTP.
// Context, same run: a raw mysql2 primary-key SELECT of the member row, and the card at half of its peak
// rate (open loop, latency from each request's scheduled start) for the p99 goal.
import { createPool } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { startStack } from '../support/stack';
import { leanClient, numberArg, report, runLoad, runPaced, type LoadResult } from './harness';

/** Rounds of one side as one figure: operations over time; latencies as the median round's. */
function combine(results: LoadResult[]) {
  const operations = results.reduce((sum, r) => sum + r.operations, 0);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    perSecond: Math.round(operations / seconds),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    rounds: results.map((r) => r.perSecond),
  };
}

async function main(): Promise<void> {
  const concurrency = numberArg('concurrency', 32);
  const seconds = numberArg('seconds', 5);
  const memberCount = numberArg('members', 200);
  const rounds = numberArg('rounds', 3);
  process.stdout.write(`card benchmark: ${memberCount} members, ${concurrency} concurrent, ${rounds} rounds of ${seconds} s each side\n`);

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

    // The machine is shared and noisy: card and bare route alternate in short rounds so a burst of someone
    // else's load lands on both sides; each side's rate is its operations over its time across the rounds.
    await runLoad('warm-up', concurrency, 2, (w) => cardOf(next(w)));
    await runLoad('warm-up', concurrency, 2, (w) => pingOf(next(w)));
    const oursRounds: LoadResult[] = [];
    const bareRounds: LoadResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      oursRounds.push(await runLoad(`ours ${round}/${rounds}: GET /api/members/me/card`, concurrency, seconds, (w) => cardOf(next(w))));
      bareRounds.push(
        await runLoad(`baseline ${round}/${rounds}: GET /api/test/ping (JWT only)`, concurrency, seconds, (w) => pingOf(next(w))),
      );
    }
    const ours = combine(oursRounds);
    const bare = combine(bareRounds);
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
      // Card and bare-route requests that failed count; the raw SQL context's own failures (e.g. a database
      // short of connections while other work shares it) are reported beside it, not as violations.
      violations: violations + ours.failures + bare.failures + half.failures,
      params: {
        members: memberCount,
        concurrency,
        seconds,
        rounds,
        database: 'mariadb',
        baseline: 'GET /api/test/ping (JWT guard, no database)',
        halfPeakRate: halfRate,
      },
      oursLatencyMs: { p50: ours.p50Ms, p99: ours.p99Ms },
      roundsPerSecond: { ours: ours.rounds, baseline: bare.rounds },
      baselineLatencyMs: { p50: bare.p50Ms, p99: bare.p99Ms },
      halfPeak: { rate: halfRate, achieved: half.perSecond, p50Ms: half.p50Ms, p99Ms: half.p99Ms },
      rawSql: {
        perSecond: raw.perSecond,
        p50Ms: raw.p50Ms,
        p99Ms: raw.p99Ms,
        failures: raw.failures,
        ratio: Number((ours.perSecond / raw.perSecond).toFixed(3)),
      },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
