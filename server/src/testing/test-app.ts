import { loadConfig, type AppConfig } from '@member/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../bootstrap';
import { ManualClock } from '../common/clock';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './databases';
import { startEmulator, TEST_APP, type RunningEmulator } from './emulator';
import { TEST_SECRETS } from './secrets';


export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
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
  close(): Promise<void>;
}

/**
 * The real application on a fresh database of the given kind, talking real HTTP to a WeChat emulator that
 * shares its clock, so tests can move time for both sides at once.
 */
export async function startTestApp(kind: TestDatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
  const emulator = await startEmulator({ apps: [TEST_APP], now: () => clock.now().getTime() });
  const db = await createTestDatabase(kind);
  const config = testConfig({ WECHAT_API_BASE: emulator.url, ...env });
  const app = await createApp({ config, clock, dataSource: db.dataSource });
  await app.init();
  return {
    app,
    db,
    emulator,
    clock,
    config,
    async close() {
      await app.close();
      await db.drop().catch(() => undefined);
      await emulator.close();
    },
  };
}
