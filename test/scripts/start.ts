// npm start: the whole demo on one machine with no database server — the WeChat emulator, the server on
// an embedded SQLite file (or DATABASE_URL if you set one), and the mini-program's H5 build served by it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, payEnv } from '../../server/src/testing/pay';
import { openidFor } from '../wechat-emulator';
import { createPayKeys, type PayKeys } from '../wechat-emulator/pay/keys';
import { REPO_ROOT, startProcess, type RunningProcess } from '../support/processes';
import { seedDemoCoupons } from './demo-coupons';
// @ts-expect-error plain ESM helper shared with the other root scripts
import { h5IsStale, step } from './lib.mjs';

/** Where the demo keeps its database and secrets; DEMO_DATA_DIR moves it (the start-up test uses a temporary one). */
const DATA_DIR = process.env.DEMO_DATA_DIR || join(REPO_ROOT, '.data');
const PORT = process.env.PORT || '3000';
const EMULATOR_PORT = process.env.WECHAT_EMULATOR_PORT || '3457';
const APPID = process.env.WECHAT_APPID ?? 'wx0000000000demo01';
const DEMO_CLERK = 'clerk';

/** Demo secrets are made once and kept in .data/, so sessions and phone ciphertexts survive a restart. */
function demoSecrets(): Record<string, string> {
  const file = join(DATA_DIR, 'demo-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  mkdirSync(DATA_DIR, { recursive: true });
  const secrets = {
    WECHAT_SECRET: randomBytes(16).toString('hex'),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    MEMBER_CODE_SECRET: randomBytes(32).toString('base64url'),
    PHONE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * Demo WeChat Pay keys (merchant, platform public key and certificate), made once and kept in .data/ like the
 * secrets: the emulator plays WeChat Pay with the platform half, the server gets the merchant half as files.
 */
function demoPayKeys(): { keysFile: string; dir: string; keys: PayKeys } {
  const dir = join(DATA_DIR, 'wechatpay');
  const keysFile = join(dir, 'demo-pay-keys.json');
  if (existsSync(keysFile)) {
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as PayKeys;
    if (keys.appids.includes(APPID)) return { keysFile, dir, keys };
  }
  mkdirSync(dir, { recursive: true });
  const keys = createPayKeys({ appids: [APPID] });
  writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  writeFileSync(join(dir, 'apiclient_key.pem'), keys.merchant.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'pub_key.pem'), keys.platform.publicKeyPem);
  return { keysFile, dir, keys };
}

async function main(): Promise<void> {
  step('TypeScript: shared, config, server', 'npx', ['tsc', '-b', 'shared', 'config', 'server']);
  if (h5IsStale()) step('Mini-program: H5 build', 'npm', ['run', 'build:h5', '-w', 'miniprogram']);

  const secrets = demoSecrets();
  const pay = demoPayKeys();
  // WeChat Pay posts notifications to the server's own URL, so the port is fixed before the server starts.
  const port = PORT === '0' ? String(await freePort()) : PORT;
  const running: RunningProcess[] = [];
  const stopAll = async () => {
    for (const proc of running.reverse()) await proc.stop();
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  process.stdout.write('\n▶ Starting the WeChat emulator and the server…\n');
  const emulator = await startProcess(process.execPath, ['--import', 'tsx', 'test/wechat-emulator/main.ts', '--port', EMULATOR_PORT, '--appid', APPID, '--secret', secrets.WECHAT_SECRET, '--pay-keys', pay.keysFile], {
    ready: /^WECHAT_EMULATOR_LISTENING (\S+)/,
    label: `WeChat emulator (port ${EMULATOR_PORT})`,
  });
  running.push(emulator.process);
  const emulatorUrl = emulator.match[1];

  const server = await startProcess(process.execPath, [join(REPO_ROOT, 'server', 'dist', 'main.js')], {
    ready: /^SERVER_LISTENING (\S+) driver=(\S+)/,
    label: `server (port ${port})`,
    timeoutMs: 60_000,
    env: {
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      HOST: process.env.HOST ?? '127.0.0.1',
      PORT: port,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      SQLITE_PATH: process.env.SQLITE_PATH || join(DATA_DIR, 'member.sqlite'),
      WECHAT_APPID: APPID,
      WECHAT_API_BASE: emulatorUrl,
      EMULATOR_PUBLIC_URL: emulatorUrl,
      H5_STATIC_DIR: join(REPO_ROOT, 'miniprogram', 'dist', 'h5'),
      STAFF: process.env.STAFF || `${openidFor(APPID, DEMO_CLERK)}:admin:演示店长`,
      ...payEnv(pay.keys, pay.dir, emulatorUrl, `http://127.0.0.1:${port}`),
      ...secrets,
    },
  });
  running.push(server.process);
  // Keep showing what the server logs (warnings and errors at the default level).
  server.process.child.stdout!.pipe(process.stdout);
  server.process.child.stderr!.pipe(process.stderr);

  // Only the embedded demo database gets sample coupons: never write demo data into a MySQL you pointed us at.
  let seeded = 0;
  if (server.match[2] !== 'mysql' && !process.env.STAFF) seeded = await seedDemoCoupons(server.match[1], emulatorUrl, APPID, DEMO_CLERK);

  const url = `${server.match[1]}/`;
  process.stdout.write(
    `\n  会员小程序（H5 演示）已启动 / The member program is running:\n\n      ${url}\n\n` +
      `  Database: ${server.match[2] === 'mysql' ? 'MySQL (DATABASE_URL)' : `embedded SQLite, ${process.env.SQLITE_PATH || join(DATA_DIR, 'member.sqlite')}`}; WeChat: the local emulator at ${emulatorUrl}.\n` +
      '  WeChat Pay: the emulator is the cashier (付款 on the card); notifications come back to the server.\n' +
      `  Each browser is its own WeChat user; add ?user=${DEMO_CLERK} to the address to be the demo store manager (staff pages).\n` +
      (seeded ? `  ${seeded} sample coupons are waiting in 领券中心 (the claim centre).\n` : '') +
      '  Press Ctrl+C to stop.\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`\n✖ The demo could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
