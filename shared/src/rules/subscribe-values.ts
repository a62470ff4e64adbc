// Value rules of subscribe-message fields, by type (WeChat's 订阅消息 value table; test/wechat-emulator/README.md).
// The type is the key name without its number (thing1 → thing, character_string12 → character_string) unless a
// template says otherwise.
// WeChat rejects a send whose value breaks its field's rule with 47003, naming the field. The server checks
// and fits values with these before queueing a message. The emulator has its own implementation of WeChat's
// rules (test/wechat-emulator/subscribe-rules.ts), and a test holds the two to the same answers.

const DATE = String.raw`\d{4}(?:[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])|年(?:0?[1-9]|1[0-2])月(?:0?[1-9]|[12]\d|3[01])日)`;
const TIME = String.raw`(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?`;
const TIME_POINT = String.raw`(?:${DATE}\s*)?${TIME}`;
const DATE_POINT = String.raw`${DATE}(?:\s*${TIME})?`;
// Both allow a range "a~b"; a date range may end with a bare time ("2025-05-20 10:00~12:00").
const TIME_RE = new RegExp(String.raw`^${TIME_POINT}(?:\s*~\s*${TIME_POINT})?$`);
const DATE_RE = new RegExp(String.raw`^${DATE_POINT}(?:\s*~\s*(?:${DATE_POINT}|${TIME}))?$`);

const chars = (v: string): number => Array.from(v).length;
const digits = (v: string): number => v.replace(/\D/g, '').length;

export const SUBSCRIBE_VALUE_RULES: Record<string, (value: string) => boolean> = {
  /** ≤ 20 characters of any kind (a Chinese character counts as one). */
  thing: (v) => chars(v) <= 20,
  /** ≤ 32 digits, decimals allowed. */
  number: (v) => /^\d+(?:\.\d+)?$/.test(v) && digits(v) <= 32,
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  /** ≤ 5 symbols: neither letters, digits nor spaces. */
  symbol: (v) => /^[^\p{L}\p{N}\s]{1,5}$/u.test(v),
  /** ≤ 32 of digits, Latin letters and symbols (no Chinese, no spaces). */
  character_string: (v) => /^[A-Za-z0-9\p{P}\p{S}]+$/u.test(v) && chars(v) <= 32,
  time: (v) => TIME_RE.test(v),
  date: (v) => DATE_RE.test(v),
  /** One currency symbol, ≤ 10 digits (decimals allowed), optional trailing 元: "¥9.90", "￥100元". */
  amount: (v) => /^\p{Sc}\d+(?:\.\d+)?元?$/u.test(v) && digits(v) <= 10,
  /** ≤ 17 digits and symbols: "+86-13800138000", "021-12345678". */
  phone_number: (v) => /^[0-9\p{P}\p{S}]+$/u.test(v) && chars(v) <= 17,
  /** ≤ 8; first and last may be Chinese (粤A8Z888挂), the rest letters or digits. */
  car_number: (v) =>
    chars(v) <= 8 && /^(?:[\p{Script=Han}A-Za-z0-9]|[\p{Script=Han}A-Za-z0-9][A-Za-z0-9]*[\p{Script=Han}A-Za-z0-9])$/u.test(v),
  /** ≤ 10 Chinese characters (mixed with letters counts as Chinese), or ≤ 20 letters. */
  name: (v) => (/\p{Script=Han}/u.test(v) ? /^[\p{Script=Han}A-Za-z·]{1,10}$/u.test(v) : /^[A-Za-z][A-Za-z .'-]{0,19}$/.test(v)),
  /** ≤ 5 Chinese characters and nothing else. */
  phrase: (v) => /^\p{Script=Han}{1,5}$/u.test(v),
  /** Allowed values are set per template in the console; not modelled, any short value passes. */
  enum: (v) => chars(v) <= 20,
};

/**
 * Every value our messages may put in a `phrase` field. WeChat's doc allows up to 5 Chinese characters, but
 * in practice it refuses some 5-character phrases (47003) and does not say which, so a phrase we send comes
 * from this list only: none longer than 4, each one sent to the emulator by a test. Add to it with a test run.
 */
export const SUBSCRIBE_PHRASES: readonly string[] = [
  '已到账',
  '已发放',
  '已领取',
  '待使用',
  '已使用',
  '即将过期',
  '已过期',
  '已退回',
  '已退款',
  '已取消',
  '已完成',
  '积分到账',
  '积分扣减',
  '积分过期',
  '已升级',
  '已降级',
  '生日快乐',
  '欢迎回来',
];

/** Whether `value` is one of the phrases we send (see SUBSCRIBE_PHRASES). */
export function isSubscribePhrase(value: string): boolean {
  return SUBSCRIBE_PHRASES.includes(value);
}

/** thing1 → thing; undefined when the key does not look like "<type><number>". */
export function subscribeTypeOfKey(key: string): string | undefined {
  const m = /^([a-z_]+?)\d+$/.exec(key);
  return m ? m[1] : undefined;
}

/** True when `value` is acceptable for a field of `type`. Empty values never are. */
export function isValidSubscribeValue(type: string, value: string): boolean {
  const rule = SUBSCRIBE_VALUE_RULES[type];
  return rule !== undefined && value !== '' && rule(value);
}

/**
 * A value made to fit its field where that loses nothing essential: `thing` is cut to 20 characters with an
 * ellipsis (a long coupon or store name), a Chinese `name` to 10. Other types must already be right.
 */
export function fitSubscribeValue(type: string, value: string): string {
  const text = value.trim();
  const cut = (max: number) =>
    chars(text) <= max
      ? text
      : `${Array.from(text)
          .slice(0, max - 1)
          .join('')}…`;
  if (type === 'thing' || type === 'enum') return cut(20);
  if (type === 'name' && /\p{Script=Han}/u.test(text) && chars(text) > 10) return Array.from(text).slice(0, 10).join('');
  return text;
}

export type SubscribeDataResult =
  { ok: true; data: Record<string, { value: string }> } | { ok: false; problems: Array<{ key: string; reason: string }> };

/**
 * Fills a template's fields (`{"thing1": "{couponName}", "date2": "{expiresOn}"}`) from `vars`, fits each
 * value to its type and checks it. A field naming a variable that is not given, a key whose type is unknown,
 * or a value that still breaks its rule is a problem: the message must not be sent (WeChat would say 47003).
 */
export function renderSubscribeData(
  fields: Record<string, string>,
  vars: Record<string, string | number>,
  keyTypes: Record<string, string> = {},
): SubscribeDataResult {
  const data: Record<string, { value: string }> = {};
  const problems: Array<{ key: string; reason: string }> = [];
  for (const [key, pattern] of Object.entries(fields)) {
    const type = keyTypes[key] ?? subscribeTypeOfKey(key);
    if (!type || !SUBSCRIBE_VALUE_RULES[type]) {
      problems.push({ key, reason: 'unknown field type' });
      continue;
    }
    let missing: string | null = null;
    const filled = pattern.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = vars[name];
      if (value === undefined || value === '') missing = name;
      return value === undefined ? '' : String(value);
    });
    if (missing) {
      problems.push({ key, reason: `no value for {${missing}}` });
      continue;
    }
    const value = fitSubscribeValue(type, filled);
    if (!isValidSubscribeValue(type, value)) {
      problems.push({ key, reason: `"${value}" is not a valid ${type}` });
      continue;
    }
    // Valid by the doc is not enough for a phrase: WeChat refuses some in practice.
    if (type === 'phrase' && !isSubscribePhrase(value)) {
      problems.push({ key, reason: `"${value}" is not one of our tested phrases` });
      continue;
    }
    data[key] = { value };
  }
  return problems.length ? { ok: false, problems } : { ok: true, data };
}
