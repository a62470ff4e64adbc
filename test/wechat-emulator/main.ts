// CLI: npx tsx test/wechat-emulator/main.ts --port 3457 --appid wx... --secret ... [--config file.json] [--pay-keys keys.json]
// Prints exactly one stdout line, "WECHAT_EMULATOR_LISTENING http://127.0.0.1:<port>", once ready
// (a parent process waits for it); request logs go to stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator, type EmulatorOptions } from './emulator';
import { type PayKeys, payKeysToEmulatorConfig } from './pay/keys';
import type { AppConfig } from './state';

const DEFAULT_APPID = 'wx0123456789abcdef';
const DEFAULT_SECRET = '0123456789abcdef0123456789abcdef';

const log = (line: string): void => void process.stderr.write(`[wechat-emulator] ${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      appid: { type: 'string' },
      secret: { type: 'string' },
      unionid: { type: 'boolean' },
      // JSON {apps?, templates?, pages?, pay?}: several apps, a template list, released pages, WeChat Pay.
      config: { type: 'string' },
      // A PayKeys JSON file (what createPayKeys returns): enables pay for that merchant, unless config has `pay`.
      'pay-keys': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stderr.write(
      'usage: main.ts [--port 3457] [--appid wx..] [--secret ..] [--unionid] [--config file.json] [--pay-keys keys.json]\n' +
        'env: WECHAT_EMULATOR_PORT, WECHAT_APPID, WECHAT_SECRET, WECHAT_EMULATOR_CONFIG, WECHAT_PAY_KEYS\n',
    );
    return;
  }
  const port = Number(values.port ?? process.env.WECHAT_EMULATOR_PORT ?? 3457);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${values.port}`);

  const configPath = values.config ?? process.env.WECHAT_EMULATOR_CONFIG;
  const config = configPath
    ? (JSON.parse(readFileSync(configPath, 'utf8')) as Partial<Pick<EmulatorOptions, 'apps' | 'templates' | 'pages' | 'pay'>>)
    : {};
  const payKeysPath = values['pay-keys'] ?? process.env.WECHAT_PAY_KEYS;
  const pay = config.pay ?? (payKeysPath ? payKeysToEmulatorConfig(JSON.parse(readFileSync(payKeysPath, 'utf8')) as PayKeys) : undefined);
  const appid = values.appid ?? process.env.WECHAT_APPID;
  const secret = values.secret ?? process.env.WECHAT_SECRET;
  const apps: AppConfig[] = [];
  if (appid || secret || !config.apps?.length) {
    if (!appid || !secret) log(`no appid/secret given, using ${appid ?? DEFAULT_APPID} / ${secret ?? DEFAULT_SECRET}`);
    apps.push({ appid: appid ?? DEFAULT_APPID, secret: secret ?? DEFAULT_SECRET, unionid: values.unionid });
  }
  apps.push(...(config.apps ?? []).filter((app) => app.appid !== appid));

  const emulator = await startEmulator({ port, apps, templates: config.templates, pages: config.pages, pay, log });
  process.stdout.write(`WECHAT_EMULATOR_LISTENING ${emulator.url}\n`);
  log(`apps: ${apps.map((a) => a.appid).join(', ')}`);
  if (pay) log(`pay merchants: ${pay.merchants.map((m) => `${m.mchid} (${m.appids.join(', ')})`).join('; ')}`);

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}, closing`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
