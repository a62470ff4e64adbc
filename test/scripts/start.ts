// npm start: the whole demo on one machine with no database server — the WeChat emulator, the server on
// an embedded SQLite file (or DATABASE_URL if you set one), and the mini-program's H5 build served by it.
//
// It must work on a fresh clone where nothing is built yet: the emulator and the server's helpers load
// @member/shared from shared/dist, so this file imports nothing of ours (only types) until the build steps ran.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PayKeys } from '../wechat-emulator/pay/keys';
import type { RunningProcess } from '../support/processes';
// @ts-expect-error plain ESM helper shared with the other root scripts
import { consoleIsStale, done, h5IsStale, ROOT, shanghaiTime, step } from './lib.mjs';

/** Where the demo keeps its database and secrets; DEMO_DATA_DIR moves it (the start-up test uses a temporary one). */
const DATA_DIR: string = process.env.DEMO_DATA_DIR || join(ROOT as string, '.data');
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
async function demoPayKeys(): Promise<{ keysFile: string; dir: string; keys: PayKeys }> {
  const dir = join(DATA_DIR, 'wechatpay');
  const keysFile = join(dir, 'demo-pay-keys.json');
  if (existsSync(keysFile)) {
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as PayKeys;
    if (keys.appids.includes(APPID)) return { keysFile, dir, keys };
  }
  const { createPayKeys } = await import('../wechat-emulator/pay/keys.js');
  mkdirSync(dir, { recursive: true });
  const keys = createPayKeys({ appids: [APPID] });
  writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  writeFileSync(join(dir, 'apiclient_key.pem'), keys.merchant.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'pub_key.pem'), keys.platform.publicKeyPem);
  return { keysFile, dir, keys };
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * The server writes one JSON object a line (for log collectors); in the demo's terminal a person reads it, so
 * each becomes `02:18:10 WARN [Context] message {fields}` in Shanghai time. Anything else passes unchanged.
 */
function readableLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, context, pid: _pid, hostname: _hostname, ...fields } = entry;
  const clock = typeof time === 'number' ? (shanghaiTime(new Date(time)) as string).slice(11) : '';
  const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
  return `${clock} ${LEVELS[level as number] ?? String(level)}${context ? ` [${String(context)}]` : ''} ${String(msg ?? '')}${extra}`;
}

function pipeReadable(stream: NodeJS.ReadableStream, to: NodeJS.WriteStream): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) to.write(`${readableLogLine(line)}\n`);
  });
}

/**
 * The first start's sample store (server/src/cli/demo-seed.ts): members, purchases, the points shop and a
 * finished campaign, written through the server's own API before the server opens the same SQLite file. Its
 * `DEMO_SEED_STEP <ms> <label>` lines become progress lines; a store that has coupons already is left alone.
 */
async function seedDemo(env: Record<string, string>): Promise<void> {
  const seeding = spawn(process.execPath, [join(ROOT as string, 'server', 'dist', 'cli', 'demo-seed.js')], {
    cwd: ROOT as string,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let buffered = '';
  seeding.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const progress = /^DEMO_SEED_STEP (\d+) (.*)$/.exec(line);
      if (progress) done(progress[2], Date.now() - Number(progress[1]));
      else output += `${line}\n`;
    }
  });
  seeding.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => seeding.on('exit', resolve));
  if (code !== 0) {
    process.stderr.write(output);
    throw new Error(`seeding the demo store failed (exit ${code}); delete ${DATA_DIR} to start afresh`);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(`\n悦享会员 demo · ${shanghaiTime()} (Asia/Shanghai)\n\n`);
  step('Compile shared, config and server', 'npx', ['tsc', '-b', 'shared', 'config', 'server']);
  if (h5IsStale()) step('Build the mini-program for the browser (H5)', 'npm', ['run', 'build:h5', '-w', 'miniprogram']);
  else done('Mini-program H5 build is up to date', Date.now());
  if (consoleIsStale()) step('Build the desktop console (/console)', 'npm', ['run', 'build', '-w', 'server/console']);
  else done('Desktop console build is up to date', Date.now());

  // Only now is @member/shared built: load the emulator and the process helpers.
  const { openidFor } = await import('../wechat-emulator/index.js');
  const { startProcess } = await import('../support/processes.js');
  const { freePort, payEnv } = await import('../../server/src/testing/pay.js');

  const secrets = demoSecrets();
  const pay = await demoPayKeys();
  // WeChat Pay posts notifications to the server's own URL, so the port is fixed before the server starts.
  const port = PORT === '0' ? String(await freePort()) : PORT;
  const running: RunningProcess[] = [];
  const stopAll = async () => {
    for (const proc of running.reverse()) await proc.stop();
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  let stepStarted = Date.now();
  const emulator = await startProcess(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/wechat-emulator/main.ts',
      '--port',
      EMULATOR_PORT,
      '--appid',
      APPID,
      '--secret',
      secrets.WECHAT_SECRET,
      '--pay-keys',
      pay.keysFile,
    ],
    {
      ready: /^WECHAT_EMULATOR_LISTENING (\S+)/,
      label: `WeChat emulator (port ${EMULATOR_PORT})`,
    },
  );
  running.push(emulator.process);
  const emulatorUrl = emulator.match[1];
  done('Start the WeChat emulator', stepStarted, emulatorUrl);

  const sqlitePath = process.env.SQLITE_PATH || join(DATA_DIR, 'member.sqlite');
  const serverEnv: Record<string, string> = {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    HOST: process.env.HOST ?? '127.0.0.1',
    PORT: port,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SQLITE_PATH: sqlitePath,
    WECHAT_APPID: APPID,
    WECHAT_API_BASE: emulatorUrl,
    EMULATOR_PUBLIC_URL: emulatorUrl,
    H5_STATIC_DIR: join(ROOT as string, 'miniprogram', 'dist', 'h5'),
    CONSOLE_STATIC_DIR: join(ROOT as string, 'server', 'console', 'dist'),
    STAFF: process.env.STAFF || `${openidFor(APPID, DEMO_CLERK)}:admin:演示店长`,
    ...payEnv(pay.keys, pay.dir, emulatorUrl, `http://127.0.0.1:${port}`),
    ...secrets,
  };

  // Only the embedded demo database gets sample data, and only on its first start (no file yet: a repeat start
  // does not even boot the seeder): never write demo data into a MySQL you pointed us at.
  if (!process.env.DATABASE_URL && !process.env.STAFF && !existsSync(sqlitePath))
    await seedDemo({ ...serverEnv, DEMO_MANAGER_USER: DEMO_CLERK });

  stepStarted = Date.now();
  const server = await startProcess(process.execPath, [join(ROOT as string, 'server', 'dist', 'main.js')], {
    ready: /^SERVER_LISTENING (\S+) driver=(\S+)/,
    label: `server (port ${port})`,
    timeoutMs: 60_000,
    env: serverEnv,
  });
  running.push(server.process);
  const onMysql = server.match[2] === 'mysql';
  done(
    onMysql ? 'Start the server on MySQL (DATABASE_URL)' : 'Start the server on embedded SQLite',
    stepStarted,
    onMysql ? '' : sqlitePath,
  );
  // From here on, show what the server logs (warnings and errors at the default level), readably.
  pipeReadable(server.process.child.stdout!, process.stdout);
  pipeReadable(server.process.child.stderr!, process.stderr);

  const url = `${server.match[1]}/`;
  process.stdout.write(
    `\n  Ready in ${((Date.now() - started) / 1000).toFixed(0)} s. Each browser is its own WeChat user. Try:\n` +
      `    · ${url}?user=${DEMO_CLERK}  — the demo store manager: 员工入口 (staff pages), 营销活动, 支付订单\n` +
      '    · 付款 on the member card — WeChat Pay with the emulator as the cashier\n' +
      `    · ${url}console/  — the HQ desktop console (管理后台): sign in by scanning; in the demo its page links the confirming page\n` +
      `    · ${emulatorUrl}/dev/inbox  — the subscription messages the server sent\n` +
      '  Ctrl+C stops the demo.\n\n' +
      `  Open the member program (会员小程序) in a browser:\n\n  ${url}\n\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`\n  ✖ The demo could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
