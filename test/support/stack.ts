import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createMysqlDatabase } from '../../server/src/testing/mysql';
import { freePort, payEnv } from '../../server/src/testing/pay';
import { TEST_SECRETS } from '../../server/src/testing/secrets';
import { createPayKeys, payKeysToEmulatorConfig, type PayKeys } from '../wechat-emulator/pay/keys';
import { openidFor } from '../wechat-emulator';
import { REPO_ROOT, startProcess, type RunningProcess } from './processes';

const CONSOLE_INDEX = join(REPO_ROOT, 'server', 'console', 'dist', 'index.html');

export const STACK_APP = { appid: 'wx0000000000e2e001', secret: 'e2e-app-secret-0123456789abcdef0' };
export { TEST_SECRETS };

/**
 * As production runs the server (README, Deploying): a 32 MB young generation. Every request leaves short-lived
 * garbage, and with V8's default the scavenger ran so often that GC was 13 % of the server's busy time in the
 * flash-claim bench; with this 8 %.
 */
export const SERVER_GC_FLAG = '--max-semi-space-size=32';

export interface StackOptions {
  database: 'mariadb' | 'sqlite';
  /** Emulator user names bound to staff roles through the STAFF setting. */
  staff?: Array<{ user: string; role: 'clerk' | 'store_manager' | 'admin'; name?: string; stores?: string[] }>;
  /** Serve the mini-program's H5 build from the server (browser tests). */
  serveH5?: boolean;
  env?: Record<string, string>;
  /** Extra node flags for the server process, e.g. ['--cpu-prof'] to profile it under load. */
  nodeArgs?: string[];
  /**
   * WeChat Pay: fresh merchant and platform keys, the emulator's Pay API (notification retries compressed
   * by `notifyRetryScale`), and the server configured with the merchant half and its notify URLs.
   */
  pay?: { notifyRetryScale?: number; refundSettleMs?: number };
  /** More server processes on the same database and emulator (MariaDB only), as a scaled-out deployment runs. */
  extraInstances?: number;
}

export interface Stack {
  serverUrl: string;
  emulatorUrl: string;
  appid: string;
  databaseUrl: string | null;
  /** The embedded SQLite file when started on `sqlite` (the server saves it after every write), else null. */
  sqlitePath: string | null;
  /** The URLs of the extra server processes (see StackOptions.extraInstances). */
  extraServerUrls: string[];
  /** The WeChat Pay keys when started with `pay`. */
  payKeys: PayKeys | null;
  openidOf(user: string): string;
  /** The main server process's pid (benches read its memory from /proc). */
  serverPid(): number | undefined;
  /** Kills the main server process at once (SIGKILL: no shutdown hooks, open transactions left to the database). */
  killServer(): Promise<void>;
  /** Everything the server process wrote to stdout and stderr so far (its logs). */
  serverOutput(): string;
  stop(): Promise<void>;
}

/**
 * The real thing, as separate processes: the WeChat emulator, and the built server (server/dist) on a fresh
 * MariaDB database or a fresh SQLite file, talking HTTP to each other. Needs `npm run build:ts` first.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const serverMain = join(REPO_ROOT, 'server', 'dist', 'main.js');
  if (!existsSync(serverMain)) throw new Error('server/dist/main.js is missing: run `npm run build:ts` first');
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let payKeys: PayKeys | null = null;
    let payDir = '';
    const emulatorArgs = [
      '--import',
      'tsx',
      'test/wechat-emulator/main.ts',
      '--port',
      '0',
      '--appid',
      STACK_APP.appid,
      '--secret',
      STACK_APP.secret,
    ];
    if (options.pay) {
      payKeys = createPayKeys({ appids: [STACK_APP.appid] });
      payDir = mkdtempSync(join(tmpdir(), 'e2e-wechatpay-'));
      writeFileSync(join(payDir, 'apiclient_key.pem'), payKeys.merchant.privateKeyPem, { mode: 0o600 });
      writeFileSync(join(payDir, 'pub_key.pem'), payKeys.platform.publicKeyPem);
      const pay = {
        ...payKeysToEmulatorConfig(payKeys),
        notifyRetryScale: options.pay.notifyRetryScale ?? 0.01,
        refundSettleMs: options.pay.refundSettleMs ?? 300,
      };
      writeFileSync(join(payDir, 'emulator.json'), JSON.stringify({ pay }));
      emulatorArgs.push('--config', join(payDir, 'emulator.json'));
      cleanups.push(async () => require('node:fs').rmSync(payDir, { recursive: true, force: true }));
    }
    const emulator = await startProcess(process.execPath, emulatorArgs, {
      ready: /^WECHAT_EMULATOR_LISTENING (\S+)/,
      label: 'WeChat emulator',
    });
    cleanups.push(() => emulator.process.stop());
    const emulatorUrl = emulator.match[1];

    let databaseUrl: string | null = null;
    const sqlitePath = join(
      require('node:os').tmpdir(),
      `mp-e2e-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.sqlite`,
    );
    if (options.database === 'mariadb') {
      const database = await createMysqlDatabase();
      databaseUrl = database.url;
      cleanups.push(() => database.drop());
    } else {
      cleanups.push(async () => require('node:fs').rmSync(sqlitePath, { force: true }));
    }

    // The notify URL names the server's port, so the port is chosen before the server starts.
    const port = options.pay ? await freePort() : 0;
    // A clerk or store manager works at stores; left out, at the first default store (S001).
    const staff = (options.staff ?? [])
      .map((s) => {
        const stores = s.stores ?? (s.role === 'admin' ? [] : ['S001']);
        return `${openidFor(STACK_APP.appid, s.user)}:${s.role}${s.name ? `:${s.name}` : ''}${stores.length ? `@${stores.join('|')}` : ''}`;
      })
      .join(',');
    const startServer = (serverPort: number, label: string): Promise<{ process: RunningProcess; match: RegExpMatchArray }> =>
      startProcess(process.execPath, [SERVER_GC_FLAG, ...(options.nodeArgs ?? []), serverMain], {
        ready: /^SERVER_LISTENING (\S+)/,
        label,
        env: {
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: String(serverPort),
          LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
          WECHAT_APPID: STACK_APP.appid,
          WECHAT_SECRET: STACK_APP.secret,
          WECHAT_API_BASE: emulatorUrl,
          EMULATOR_PUBLIC_URL: emulatorUrl,
          ...TEST_SECRETS,
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '', SQLITE_PATH: sqlitePath }),
          STAFF: staff,
          // Every test user shares 127.0.0.1: per-IP limits are lifted unless a test sets them (per-member ones stay).
          THROTTLE_LOGIN_PER_IP_PER_MINUTE: '1000000',
          THROTTLE_PHONE_PER_IP_PER_MINUTE: '1000000',
          THROTTLE_PAY_CONFIRM_PER_IP_PER_MINUTE: '1000000',
          H5_STATIC_DIR: options.serveH5 ? join(REPO_ROOT, 'miniprogram', 'dist', 'h5') : '',
          // The desktop console beside the H5 app, when it is built (npm test builds both).
          CONSOLE_STATIC_DIR: options.serveH5 && existsSync(CONSOLE_INDEX) ? dirname(CONSOLE_INDEX) : '',
          ...(payKeys ? payEnv(payKeys, payDir, emulatorUrl, `http://127.0.0.1:${port}`) : {}),
          ...options.env,
        },
      });
    const server = await startServer(port, 'server');
    cleanups.push(() => server.process.stop());
    const extraServerUrls: string[] = [];
    for (let i = 0; i < (options.extraInstances ?? 0); i++) {
      if (!databaseUrl) throw new Error("extra instances need MariaDB: the embedded SQLite file is one process's");
      const extra = await startServer(0, `server ${i + 2}`);
      cleanups.push(() => extra.process.stop());
      extraServerUrls.push(extra.match[1]);
    }
    // The test environment prints what the server wrote during a test only if that test fails.
    const watched = ((globalThis as { __serverProcesses?: Array<{ label: string; output(): string }> }).__serverProcesses ??= []);
    watched.push({ label: `server ${server.match[1]}`, output: () => server.process.output() });
    return {
      serverUrl: server.match[1],
      extraServerUrls,
      emulatorUrl,
      appid: STACK_APP.appid,
      databaseUrl,
      sqlitePath: databaseUrl ? null : sqlitePath,
      payKeys,
      openidOf: (user) => openidFor(STACK_APP.appid, user),
      serverOutput: () => server.process.output(),
      serverPid: () => server.process.child.pid,
      killServer: () =>
        new Promise<void>((resolve) => {
          const child = server.process.child;
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
