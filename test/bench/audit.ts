// npm run bench -- audit [--concurrency 16] [--seconds 5] [--rounds 3] [--members 200] [--claims 200]
// What the staff audit log (issue 14, point 5) costs on the till's purchase path, over HTTP on the built server
// and MariaDB. Ours: POST /api/staff/purchases (member code checked, sale settled, points earned) with the audit
// interceptor writing its row after the sale commits. Baseline, same run: the same purchases on a second stack
// started with AUDIT_LOG=off, a measurement switch only the audit interceptor reads and only in a NODE_ENV=test
// process (production never sets it), so the ratio is purchases/s with the audit over purchases/s without.
// Both stacks run at once and their rounds alternate, so bursts of other work on this shared machine land on both.
// Correctness: every answered purchase has exactly one 'purchase.record ok' row on the audited stack and the other
// has none. The claim path: member claims are not staff actions, so they write no audit row (checked here, by
// counting the audit log around a burst of claims).
import { sign } from 'jsonwebtoken';
import { createPool, type Pool } from 'mysql2/promise';
import { issueMemberCode } from '../../server/src/members/member-code';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { startStack, TEST_SECRETS, type Stack } from '../support/stack';
import { leanClient, numberArg, report, runBatch, runLoad, type LoadResult } from './harness';

function combine(results: LoadResult[]) {
  const operations = results.reduce((sum, r) => sum + r.operations, 0);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    perSecond: Math.round((operations / seconds) * 10) / 10,
    operations,
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    rounds: results.map((r) => r.perSecond),
  };
}

interface Side {
  label: string;
  stack: Stack;
  pool: Pool;
  clerk: string;
  members: Array<{ id: number; token: string }>;
  http: ReturnType<typeof leanClient>;
  answered: number;
}

async function main(): Promise<void> {
  const concurrency = numberArg('concurrency', 16);
  const seconds = numberArg('seconds', 5);
  const rounds = numberArg('rounds', 3);
  const memberCount = numberArg('members', 200);
  const claimCount = numberArg('claims', 200);
  process.stdout.write(
    `audit benchmark: till purchases, ${concurrency} concurrent, ${rounds} rounds of ${seconds} s each side, ${memberCount} members\n`,
  );

  const staff = [
    { user: 'audit-till', role: 'clerk' as const, stores: ['S001'] },
    { user: 'audit-hq', role: 'admin' as const },
  ];
  const env = { DATABASE_POOL_SIZE: String(concurrency), LOG_LEVEL: 'warn' };
  const stacks = await Promise.all([
    startStack({ database: 'mariadb', staff, env }),
    startStack({ database: 'mariadb', staff, env: { ...env, AUDIT_LOG: 'off' } }),
  ]);
  try {
    const side = async (label: string, stack: Stack): Promise<Side> => {
      const pool = createPool({ uri: stack.databaseUrl!, connectionLimit: 2, timezone: 'Z' });
      const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
      const clerk = (await api.login('audit-till')).token;
      // Joined members straight into the table, with sessions signed by the server's secret.
      const now = new Date();
      const tag = `audit-${label}`;
      await pool.query('INSERT INTO member (openid, joined_at, privacy_accepted_at, privacy_policy_version, version) VALUES ?', [
        Array.from({ length: memberCount }, (_, i) => [`${tag}-${i}`, now, now, tag, 1]),
      ]);
      const [rows] = (await pool.query('SELECT id, openid FROM member WHERE privacy_policy_version = ? ORDER BY id', [tag])) as any;
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const members = (rows as Array<{ id: number; openid: string }>).map((m) => ({
        id: Number(m.id),
        token: sign({ sub: String(m.id), oid: m.openid, iat: exp - 3600, exp }, TEST_SECRETS.SESSION_SECRET, { algorithm: 'HS256' }),
      }));
      return { label, stack, pool, clerk, members, http: leanClient(stack.serverUrl, concurrency), answered: 0 };
    };
    const [audited, bare] = await Promise.all([side('audited', stacks[0]), side('bare', stacks[1])]);
    const publicConfig = (
      await new TestApi(audited.stack.serverUrl, audited.stack.emulatorUrl, audited.stack.appid).call('GET', '/public-config')
    ).body;
    const codeSettings = {
      secret: TEST_SECRETS.MEMBER_CODE_SECRET,
      prefix: '66',
      periodSeconds: Number(publicConfig.memberCodePeriodSeconds),
      graceSeconds: 0,
    };

    let sequence = 0;
    const purchase = async (s: Side, n: number) => {
      const member = s.members[n % s.members.length];
      const memberCode = issueMemberCode(codeSettings, member.id, new Date()).code;
      const answer = await s.http('POST', '/staff/purchases', {
        token: s.clerk,
        body: { memberCode, amountFen: 12_800, idempotencyKey: `${s.label}-${++sequence}` },
      });
      if (answer.status === 200) s.answered++;
      else if (sequence < 5) process.stdout.write(`\n  ${s.label}: ${answer.status} ${JSON.stringify(answer.body)}\n`);
      return answer.status === 200;
    };
    const counters = new Array<number>(concurrency).fill(0);
    const next = (w: number) => w * 7919 + counters[w]++;

    await runLoad('warm-up audited', concurrency, 2, (w) => purchase(audited, next(w)));
    await runLoad('warm-up bare', concurrency, 2, (w) => purchase(bare, next(w)));
    const oursRounds: LoadResult[] = [];
    const bareRounds: LoadResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Which side goes first alternates too, so neither always follows the other's left-over work.
      const order = round % 2 === 1 ? ['audited', 'bare'] : ['bare', 'audited'];
      for (const which of order) {
        if (which === 'audited')
          oursRounds.push(
            await runLoad(`ours ${round}/${rounds}: POST /api/staff/purchases, audited`, concurrency, seconds, (w) =>
              purchase(audited, next(w)),
            ),
          );
        else
          bareRounds.push(
            await runLoad(`baseline ${round}/${rounds}: the same, AUDIT_LOG=off`, concurrency, seconds, (w) => purchase(bare, next(w))),
          );
      }
    }
    const ours = combine(oursRounds);
    const baseline = combine(bareRounds);

    // One audit row per answered purchase on the audited stack (written after the sale commits, so let the last land), none on the other.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const count = async (s: Side, where: string) =>
      Number(((await s.pool.query(`SELECT COUNT(*) AS n FROM audit_log WHERE ${where}`)) as any)[0][0].n);
    const auditedRows = await count(audited, "action = 'purchase.record' AND outcome = 'ok'");
    const bareRows = await count(bare, '1 = 1');
    let violations = Math.abs(auditedRows - audited.answered) + bareRows;

    // The claim path: member claims are not audited.
    const admin = (await new TestApi(audited.stack.serverUrl, audited.stack.emulatorUrl, audited.stack.appid).login('audit-hq')).token;
    const template = await audited.http('POST', '/admin/coupon-templates', {
      token: admin,
      body: cashOffTemplateBody({ name: '审计券', totalStock: claimCount, perMemberLimit: 5 }),
    });
    if (template.status !== 201) throw new Error(`template: ${template.status} ${JSON.stringify(template.body)}`);
    const beforeClaims = await count(audited, '1 = 1');
    const claims = await runBatch('claims (members, not audited)', concurrency, claimCount, async (i) => {
      const member = audited.members[i % audited.members.length];
      return (
        (
          await audited.http('POST', `/coupons/templates/${template.body.id}/claim`, {
            token: member.token,
            body: { idempotencyKey: `audit-claim-${i}` },
          })
        ).status === 200
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const claimAuditRows = (await count(audited, '1 = 1')) - beforeClaims;
    violations += claimAuditRows;

    report({
      name: 'audit',
      ours: ours.perSecond,
      baseline: baseline.perSecond,
      unit: 'till purchases/s',
      method:
        'POST /api/staff/purchases over HTTP, MariaDB; ours audited, baseline AUDIT_LOG=off (measurement switch), ' +
        'two stacks at once, rounds alternating',
      violations,
      params: {
        concurrency,
        seconds,
        rounds,
        members: memberCount,
        auditedRows,
        answeredAudited: audited.answered,
        bareAuditRows: bareRows,
        claims: claims.operations,
        claimFailures: claims.failures,
        claimAuditRows,
      },
      ours_detail: ours,
      baseline_detail: baseline,
      p50CostMs: Number((ours.p50Ms - baseline.p50Ms).toFixed(2)),
    });
    await Promise.all([audited.pool.end(), bare.pool.end()]);
  } finally {
    await Promise.all(stacks.map((s) => s.stop()));
  }
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
