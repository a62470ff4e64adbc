// npm run bench -- push [--members 100000] [--rate 300]
// A push to every reachable member, with WeChat accepting `rate` messages a second (the emulator answers 45011
// beyond that). Ours: the server's own background sender draining the outbox (member lock, grant spent,
// frequency cap, the WeChat call, the outcome) at its configured global rate. Baseline: the rate WeChat accepts.
// ratio = achieved / rate (goal ≥ 0.95); violations = members messaged twice + members whose grant in our
// ledger differs from WeChat's quota at the end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSubscribeData } from '@member/shared';
import { createPool } from 'mysql2/promise';
import { loadConfig } from '../../config/src';
import { TestApi } from '../support/api-client';
import { startStack } from '../support/stack';
import { numberArg, report } from './harness';

const CHUNK = 5000;
const progress = (line: string) => process.stdout.write(`\r  ${line}${' '.repeat(10)}`);

async function main(): Promise<void> {
  const memberCount = numberArg('members', 100_000);
  const rate = numberArg('rate', 300);
  process.stdout.write(`push benchmark: ${memberCount.toLocaleString('en')} reachable members, WeChat accepting ${rate}/s\n`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-push-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ messages: { sendRatePerSecond: rate, sendParallelism: 32 }, database: { poolSize: 40 } }),
  );
  const stack = await startStack({
    database: 'mariadb',
    env: { CONFIG_FILE: join(dir, 'config.json'), MESSAGE_SENDER_EVERY_SECONDS: '1' },
  });
  const pool = createPool({ uri: stack.databaseUrl!, connectionLimit: 4, timezone: 'Z' });
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      WECHAT_APPID: stack.appid,
      WECHAT_SECRET: 'x',
      SESSION_SECRET: 'x'.repeat(32),
      MEMBER_CODE_SECRET: 'x'.repeat(32),
      PHONE_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
    });
    const template = config.messages.templates.coupon_arrived;
    const rendered = renderSubscribeData(template.fields, { couponName: '回归礼券满100减30', expiresOn: '2026-12-31' });
    if (!rendered.ok) throw new Error('template does not render');
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    // Daytime in Shanghai (quiet hours would hold everything back at night); the server clock runs on from here.
    const now = '2026-11-23T02:00:00Z';
    if ((await api.call('POST', '/test/clock', { body: { now } })).status !== 200) throw new Error('cannot set the server clock');
    const emulator = (path: string, body: unknown) =>
      fetch(`${stack.emulatorUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    // Members, with one accept each: in WeChat (the emulator's quota) and in our ledger, as the app would have reported it.
    let started = performance.now();
    for (let from = 0; from < memberCount; from += CHUNK) {
      const users = Array.from({ length: Math.min(CHUNK, memberCount - from) }, (_, i) => `push-${from + i}`);
      await pool.query('INSERT INTO member (openid, nickname, joined_at, privacy_accepted_at, privacy_policy_version, version) VALUES ?', [
        users.map((u) => [stack.openidOf(u), null, new Date(now), new Date(now), 'bench', 1]),
      ]);
      const answer = await emulator('/dev/quota', { users, templateId: template.templateId, add: 1 });
      if (!answer.ok) throw new Error(`emulator quota: ${answer.status}`);
      progress(`seeding members and accepts: ${(from + users.length).toLocaleString('en')} / ${memberCount.toLocaleString('en')}`);
    }
    await pool.query(
      'INSERT INTO message_grant (member_id, template_id, remaining, accepted_total, updated_at)' +
        " SELECT id, ?, 1, 1, ? FROM member WHERE privacy_policy_version = 'bench'",
      [template.templateId, new Date(now)],
    );
    process.stdout.write(`\n  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    await emulator('/dev/limits', { endpoint: 'subscribe_send', perSecond: rate });

    // The push: one outbox row per member (what a campaign launch writes), then the sender works on its own.
    started = performance.now();
    await pool.query(
      `INSERT INTO message_outbox (dedupe_key, member_id, kind, template_id, page, data, status, attempts, grant_spent, due_at, created_at)
       SELECT CONCAT('bench-push:', id), id, 'coupon_arrived', ?, ?, ?, 'queued', 0, 0, ?, ?
         FROM member WHERE privacy_policy_version = 'bench'`,
      [template.templateId, template.page, JSON.stringify(rendered.data), new Date(now), new Date(now)],
    );
    let counts: Record<string, number> = {};
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [rows] = await pool.query('SELECT status, COUNT(*) AS n FROM message_outbox GROUP BY status');
      counts = Object.fromEntries((rows as Array<{ status: string; n: number }>).map((r) => [r.status, Number(r.n)]));
      const seconds = (performance.now() - started) / 1000;
      progress(
        `sending: ${(counts.sent ?? 0).toLocaleString('en')} sent, ${(counts.queued ?? 0).toLocaleString('en')} queued, ` +
          `${(counts.failed ?? 0) + (counts.skipped ?? 0)} failed/skipped, ${Math.round((counts.sent ?? 0) / seconds)}/s`,
      );
      if (!counts.queued && !counts.sending) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const achieved = (counts.sent ?? 0) / seconds;
    process.stdout.write(`\n  all ${memberCount.toLocaleString('en')} handled in ${seconds.toFixed(1)} s: ${JSON.stringify(counts)}\n`);

    // Exactly once, and the two ledgers agree.
    const inbox = (await (await fetch(`${stack.emulatorUrl}/dev/inbox?template_id=${template.templateId}`)).json()) as {
      messages: Array<{ touser: string }>;
    };
    const perUser = new Map<string, number>();
    for (const m of inbox.messages) perUser.set(m.touser, (perUser.get(m.touser) ?? 0) + 1);
    const duplicates = [...perUser.values()].filter((n) => n > 1).length;
    const theirs = (
      (await (await fetch(`${stack.emulatorUrl}/dev/quota?template_id=${template.templateId}`)).json()) as { quota: Record<string, number> }
    ).quota;
    const [ours] = await pool.query(
      'SELECT m.openid, g.remaining FROM message_grant g JOIN member m ON m.id = g.member_id WHERE g.template_id = ?',
      [template.templateId],
    );
    const grantMismatches = (ours as Array<{ openid: string; remaining: number }>).filter(
      (row) => (theirs[row.openid] ?? 0) !== Number(row.remaining),
    ).length;
    process.stdout.write(
      `  inbox ${inbox.messages.length.toLocaleString('en')} messages, ${duplicates} members messaged twice, ` +
        `${grantMismatches} grant mismatches\n`,
    );

    report({
      name: 'push',
      ours: Number(achieved.toFixed(1)),
      baseline: rate,
      unit: 'messages/s',
      violations: duplicates + grantMismatches + (memberCount - (counts.sent ?? 0)),
      params: { members: memberCount, rate, sendParallelism: 32, database: 'mariadb' },
      seconds: Number(seconds.toFixed(1)),
      outcomes: counts,
      duplicates,
      grantMismatches,
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
