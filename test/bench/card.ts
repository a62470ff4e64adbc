// npm run bench -- card [--concurrency 32] [--seconds 5] [--members 200]
// The member card is the page every shopper opens at the till. Ours: GET /api/members/me/card over HTTP
// (session check, member load, tier progress) on the built server and MariaDB. Baseline, same run, same
// concurrency: the raw SQL the card needs, a primary-key SELECT of the member row through mysql2.
import { createPool } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { startStack } from '../support/stack';
import { leanClient, numberArg, report, runLoad } from './harness';

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
    const cardOf = async (worker: number, i: number) => {
      const member = members[(worker * 7919 + i) % members.length];
      const answer = await http('GET', '/members/me/card', { token: member.token });
      // A card that is not the caller's own would be a leak: count it as a correctness violation.
      if (answer.status === 200 && answer.body.member.id !== member.id) violations++;
      return answer.status === 200;
    };
    const counters = new Array<number>(concurrency).fill(0);
    await runLoad('warm-up', concurrency, 1, (w) => cardOf(w, counters[w]++));
    const ours = await runLoad('ours: GET /api/members/me/card', concurrency, seconds, (w) => cardOf(w, counters[w]++));

    const pool = createPool({ uri: stack.databaseUrl!, connectionLimit: concurrency, timezone: 'Z' });
    const rowOf = async (worker: number, i: number) => {
      const member = members[(worker * 7919 + i) % members.length];
      const [rows] = await pool.query('SELECT * FROM member WHERE id = ?', [member.id]);
      return (rows as unknown[]).length === 1;
    };
    await runLoad('warm-up', concurrency, 1, (w) => rowOf(w, counters[w]++));
    const baseline = await runLoad('baseline: raw mysql2 SELECT', concurrency, seconds, (w) => rowOf(w, counters[w]++));
    await pool.end();

    report({
      name: 'card',
      ours: ours.perSecond,
      baseline: baseline.perSecond,
      unit: 'requests/s',
      violations: violations + ours.failures + baseline.failures,
      params: { members: memberCount, concurrency, seconds, database: 'mariadb' },
      oursLatencyMs: { p50: ours.p50Ms, p99: ours.p99Ms },
      baselineLatencyMs: { p50: baseline.p50Ms, p99: baseline.p99Ms },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
