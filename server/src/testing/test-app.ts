import { loadConfig, type AppConfig } from '@member/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../bootstrap';
import { ManualClock } from '../common/clock';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './databases';
import { startEmulator, TEST_APP, type RunningEmulator } from './emulator';
import { freePort, payEnv, payKeysToEmulatorConfig, testPayKeys, type PayKeys } from './pay';
import { TEST_SECRETS } from './secrets';

/**
 * In-process test apps log into the running test's buffer (see test/support/jest-environment.js), which is printed
 * only when that test fails: a passing run shows results, not the warnings tests provoke on purpose.
 */
export const testLogSink = {
  write(line: string): void {
    const sink = (globalThis as { __serverLogLines?: string[] }).__serverLogLines;
    if (sink) sink.push(line);
    else process.stderr.write(line);
  },
};

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    // Service tests drive the message sender themselves (OutboxSender.runOnce), never on a timer.
    MESSAGE_SENDER_EVERY_SECONDS: '0',
    CAMPAIGN_SCHEDULER_EVERY_SECONDS: '0',
    // Test users all come from one address: per-IP limits are lifted unless a test sets them.
    THROTTLE_LOGIN_PER_IP_PER_MINUTE: '1000000',
    THROTTLE_PHONE_PER_IP_PER_MINUTE: '1000000',
    THROTTLE_PAY_CONFIRM_PER_IP_PER_MINUTE: '1000000',
    WECHAT_APPID: TEST_APP.appid,
    WECHAT_SECRET: TEST_APP.secret,
    ...TEST_SECRETS,
    ...env,
  });
}

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  emulator: RunningEmulator;
  clock: ManualClock;
  config: AppConfig;
  /** With `pay`: the WeChat Pay keys, and the server listening at `serverUrl` (WeChat posts notifications to it). */
  pay: { keys: PayKeys; serverUrl: string } | null;
  close(): Promise<void>;
}

/** Puts the app on a free local port, for tests that speak real HTTP to it; answers its base URL. */
export async function listenLocally(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
}

export interface TestAppOptions {
  /**
   * WeChat Pay on: keys, the emulator's Pay API, and the server listening on a port for notifications. The
   * emulator then keeps real time (wechatpay-node-v3 stamps requests with the real clock and WeChat refuses
   * stale ones) and the test clock starts at the real now.
   */
  pay?: boolean | { certificateOnly?: boolean };
}

/**
 * The real application on a fresh database of the given kind, talking real HTTP to a WeChat emulator that
 * shares its clock, so tests can move time for both sides at once.
 */
export async function startTestApp(
  kind: TestDatabaseKind,
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  if (options.pay) {
    const { keys, dir } = testPayKeys();
    const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
    const emulator = await startEmulator({
      apps: [TEST_APP],
      pay: { ...payKeysToEmulatorConfig(keys), notifyRetryScale: 0.001, refundSettleMs: 100 },
    });
    const port = await freePort();
    const serverUrl = `http://127.0.0.1:${port}`;
    const certificateOnly = typeof options.pay === 'object' && options.pay.certificateOnly;
    return finish(
      kind,
      clock,
      emulator,
      { WECHAT_API_BASE: emulator.url, ...payEnv(keys, dir, emulator.url, serverUrl, { certificateOnly }), ...env },
      { keys, serverUrl, port },
    );
  }
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
  const emulator = await startEmulator({ apps: [TEST_APP], now: () => clock.now().getTime() });
  return finish(kind, clock, emulator, { WECHAT_API_BASE: emulator.url, ...env }, null);
}

async function finish(
  kind: TestDatabaseKind,
  clock: ManualClock,
  emulator: RunningEmulator,
  env: Record<string, string>,
  pay: { keys: PayKeys; serverUrl: string; port: number } | null,
): Promise<TestApp> {
  const db = await createTestDatabase(kind);
  const config = testConfig(env);
  const app = await createApp({ config, clock, dataSource: db.dataSource, logSink: testLogSink });
  await app.init();
  if (pay) await app.listen(pay.port, '127.0.0.1');
  return {
    app,
    db,
    emulator,
    clock,
    config,
    pay: pay && { keys: pay.keys, serverUrl: pay.serverUrl },
    async close() {
      await app.close();
      await db.drop().catch(() => undefined);
      await emulator.close();
    },
  };
}
