// Value rules of subscribe-message fields, by type. The type is the key name without its number
// (thing1 → thing, character_string12 → character_string) unless a template says otherwise.
// WeChat rejects a send whose value breaks its field's rule with 47003, naming the field.

const DATE = String.raw`\d{4}(?:[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])|年(?:0?[1-9]|1[0-2])月(?:0?[1-9]|[12]\d|3[01])日)`;
const TIME = String.raw`(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?`;
const TIME_POINT = String.raw`(?:${DATE}\s*)?${TIME}`;
const DATE_POINT = String.raw`${DATE}(?:\s*${TIME})?`;
// Both allow a range "a~b"; a date range may end with a bare time ("2025-05-20 10:00~12:00").
const TIME_RE = new RegExp(String.raw`^${TIME_POINT}(?:\s*~\s*${TIME_POINT})?$`);
const DATE_RE = new RegExp(String.raw`^${DATE_POINT}(?:\s*~\s*(?:${DATE_POINT}|${TIME}))?$`);

const chars = (v: string): number => Array.from(v).length;
const digits = (v: string): number => v.replace(/\D/g, '').length;

export const VALUE_RULES: Record<string, (value: string) => boolean> = {
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
  name: (v) =>
    /\p{Script=Han}/u.test(v) ? /^[\p{Script=Han}A-Za-z·]{1,10}$/u.test(v) : /^[A-Za-z][A-Za-z .'-]{0,19}$/.test(v),
  /** ≤ 5 Chinese characters and nothing else. */
  phrase: (v) => /^\p{Script=Han}{1,5}$/u.test(v),
  /** Allowed values are set per template in the console; not modelled, any short value passes. */
  enum: (v) => chars(v) <= 20,
};

/** thing1 → thing; undefined when the key does not look like "<type><number>". */
export function typeFromKey(key: string): string | undefined {
  const m = /^([a-z_]+?)\d+$/.exec(key);
  return m ? m[1] : undefined;
}

/** True when `value` is acceptable for a field of `type`. Empty values never are. */
export function isValidValue(type: string, value: string): boolean {
  const rule = VALUE_RULES[type];
  return rule !== undefined && value !== '' && rule(value);
}
