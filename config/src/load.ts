import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, type AppConfig } from './schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/** Which environment variable sets which key, so an error can name both. */
export const ENV_KEYS: Record<string, string> = {
  NODE_ENV: 'env',
  HOST: 'server.host',
  PORT: 'server.port',
  H5_STATIC_DIR: 'server.h5StaticDir',
  CONSOLE_STATIC_DIR: 'server.consoleStaticDir',
  LOG_LEVEL: 'server.logLevel',
  DATABASE_URL: 'database.url',
  SQLITE_PATH: 'database.sqlitePath',
  DATABASE_POOL_SIZE: 'database.poolSize',
  WECHAT_APPID: 'wechat.appid',
  WECHAT_SECRET: 'wechat.secret',
  WECHAT_API_BASE: 'wechat.apiBaseUrl',
  WECHATPAY_API_BASE: 'wechat.payApiBaseUrl',
  WECHATPAY_MCHID: 'wechatPay.mchid',
  WECHATPAY_MERCHANT_SERIAL_NO: 'wechatPay.merchantSerialNo',
  WECHATPAY_MERCHANT_KEY_FILE: 'wechatPay.merchantPrivateKeyFile',
  WECHATPAY_API_V3_KEY: 'wechatPay.apiV3Key',
  WECHATPAY_PUBLIC_KEY_ID: 'wechatPay.publicKeyId',
  WECHATPAY_PUBLIC_KEY_FILE: 'wechatPay.publicKeyFile',
  WECHATPAY_NOTIFY_URL: 'wechatPay.notifyUrl',
  WECHATPAY_REFUND_NOTIFY_URL: 'wechatPay.refundNotifyUrl',
  SESSION_SECRET: 'security.sessionSecret',
  MEMBER_CODE_SECRET: 'security.memberCodeSecret',
  PHONE_ENCRYPTION_KEY: 'security.phoneEncryptionKey',
  STAFF: 'staff',
  EMULATOR_PUBLIC_URL: 'demo.emulatorPublicUrl',
  // Which template is the birthday coupon is deployment data (its id in this database), not a business default.
  BIRTHDAY_COUPON_TEMPLATE_ID: 'birthday.perk.couponTemplateId',
  // 0 stops this instance's message sender (e.g. an instance kept for admin work only).
  MESSAGE_SENDER_EVERY_SECONDS: 'messages.senderEverySeconds',
  CAMPAIGN_SCHEDULER_EVERY_SECONDS: 'campaigns.schedulerEverySeconds',
  // Per-IP limits depend on the network in front (one store Wi-Fi or a carrier NAT puts many members on one IP).
  THROTTLE_LOGIN_PER_IP_PER_MINUTE: 'throttle.login.perIpPerMinute',
  THROTTLE_PHONE_PER_IP_PER_MINUTE: 'throttle.phone.perIpPerMinute',
  THROTTLE_PAY_CONFIRM_PER_IP_PER_MINUTE: 'throttle.payConfirm.perIpPerMinute',
};
const NUMERIC_KEYS = new Set([
  'server.port',
  'database.poolSize',
  'birthday.perk.couponTemplateId',
  'messages.senderEverySeconds',
  'campaigns.schedulerEverySeconds',
  'throttle.login.perIpPerMinute',
  'throttle.phone.perIpPerMinute',
  'throttle.payConfirm.perIpPerMinute',
]);

export function readDefaults(): Json {
  // dist/ and src/ both sit one level below the package root, where defaults.json lives.
  const parsed = JSON.parse(readFileSync(join(__dirname, '..', 'defaults.json'), 'utf8')) as Json;
  delete parsed.$comment;
  return parsed;
}

const ENVIRONMENT_DEFAULTS: Json = {
  env: 'development',
  server: { host: '0.0.0.0', port: 3000, h5StaticDir: null, consoleStaticDir: null, logLevel: 'info' },
  database: { url: null, sqlitePath: '.data/member.sqlite', poolSize: 20 },
  wechat: { apiBaseUrl: 'https://api.weixin.qq.com', payApiBaseUrl: 'https://api.mch.weixin.qq.com' },
  security: {},
  staff: [],
  demo: { emulatorPublicUrl: null },
};

/** WeChat Pay is configured only when WECHATPAY_MCHID is set; the optional keys default to null then. */
const WECHAT_PAY_DEFAULTS: Json = { publicKeyId: null, publicKeyFile: null };

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars from the override replace the base. */
export function deepMerge(base: Json, override: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key] as Json, value) : value;
  }
  return out;
}

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]] = value;
}

/**
 * "openid:role[:name][@S001|S002],…" → staff entries; shape errors are left for the schema to report. The
 * stores follow the last "@" ("|"-separated), so a name may still contain ":".
 */
export function parseStaffList(text: string): Array<{ openid: string; role: string; name: string | null; stores: string[] }> {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf('@');
      const account = at >= 0 ? entry.slice(0, at) : entry;
      const stores =
        at >= 0
          ? entry
              .slice(at + 1)
              .split('|')
              .map((code) => code.trim())
              .filter(Boolean)
          : [];
      const [openid = '', role = '', ...name] = account.split(':');
      return { openid, role, name: name.length && name.join(':') ? name.join(':') : null, stores };
    });
}

function fromEnv(env: Env): Json {
  const out: Json = {};
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (NUMERIC_KEYS.has(path)) value = /^\d+$/.test(raw) ? Number(raw) : raw;
    if (path === 'staff') value = parseStaffList(raw);
    setPath(out, path, value);
  }
  return out;
}

/**
 * Builds the configuration from defaults.json, an optional JSON override file (CONFIG_FILE) and the
 * environment, then validates it. Any problem stops the start-up with every offending key named.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  let override: Json = {};
  if (env.CONFIG_FILE) {
    try {
      override = JSON.parse(readFileSync(env.CONFIG_FILE, 'utf8')) as Json;
    } catch (error) {
      throw new ConfigError([`CONFIG_FILE ${env.CONFIG_FILE}: ${(error as Error).message}`]);
    }
  }
  const merged = deepMerge(deepMerge(deepMerge(ENVIRONMENT_DEFAULTS, readDefaults()), override), fromEnv(env));
  merged.wechatPay = isPlainObject(merged.wechatPay) ? deepMerge(WECHAT_PAY_DEFAULTS, merged.wechatPay) : null;
  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  const envNameOf = (path: string) => Object.entries(ENV_KEYS).find(([, key]) => key === path)?.[0];
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const envName = envNameOf(path) ?? envNameOf(String(issue.path[0]));
      const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      return `${path || '(root)'}${envName ? ` (env ${envName})` : ''}: ${message}`;
    }),
  );
}

/** Only the database settings, for tools (the staff CLI) that need no WeChat or session secrets. */
export function loadDatabaseConfig(env: Env = process.env): AppConfig['database'] {
  const merged = deepMerge(ENVIRONMENT_DEFAULTS, fromEnv(env));
  const result = configSchema.shape.database.safeParse(merged.database);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `database.${issue.path.join('.')}: ${issue.message}`));
}
