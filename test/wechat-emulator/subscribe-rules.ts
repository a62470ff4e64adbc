// WeChat's value rules for subscribe-message fields, as the emulator enforces them: written from the table in
// WeChat's 订阅消息 value table and nothing else. It deliberately shares no code with the server's own checks
// (shared/src/rules/subscribe-values.ts): if both sides used one function, a wrong rule could never fail a
// test. subscribe-rules-agree.test.ts runs one table of values through both and wants the same answers.

const HAN = /^\p{Script=Han}$/u;
const ASCII_LETTER = /^[A-Za-z]$/;
const DIGIT = /^[0-9]$/;
/** Punctuation or symbol, the "symbols" WeChat's table speaks of (-, #, +, ¥, (, …). */
const SYMBOL = /^[\p{P}\p{S}]$/u;

/** The characters of `value` as the user sees them (a Chinese character, or an emoji, is one). */
const charsOf = (value: string): string[] => Array.from(value);
const all = (value: string, test: (ch: string) => boolean): boolean => charsOf(value).every(test);
const isHan = (ch: string) => HAN.test(ch);
const isLetter = (ch: string) => ASCII_LETTER.test(ch);
const isDigit = (ch: string) => DIGIT.test(ch);
const isSymbol = (ch: string) => SYMBOL.test(ch);
const isDigits = (s: string) => s.length > 0 && all(s, isDigit);

/** "9", "9.90": digits, optionally one point with digits after it. Answers the number of digits, or -1. */
function decimalDigits(s: string): number {
  const parts = s.split('.');
  if (parts.length > 2 || !parts.every(isDigits)) return -1;
  return parts.join('').length;
}

function inRange(text: string, low: number, high: number): boolean {
  const n = Number(text);
  return isDigits(text) && n >= low && n <= high;
}

/** A calendar date: 2025-05-20, 2025/5/20, 2025.05.20 (one separator throughout) or 2025年5月20日. */
function isDate(s: string): boolean {
  const cn = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(s);
  const parts = cn ? cn.slice(1) : null;
  let ymd = parts;
  if (!ymd) {
    const sep = s.charAt(4);
    if (!['-', '/', '.'].includes(sep)) return false;
    ymd = s.split(sep);
    if (ymd.length !== 3 || ymd[0].length !== 4 || ymd[1].length > 2 || ymd[2].length > 2) return false;
  }
  return isDigits(ymd[0]) && inRange(ymd[1], 1, 12) && inRange(ymd[2], 1, 31);
}

/** 24-hour clock: 9:05, 09:05, 23:59:59. */
function isClock(s: string): boolean {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) return false;
  const [h, m, sec] = parts;
  if (h.length > 2 || m.length !== 2 || (sec !== undefined && sec.length !== 2)) return false;
  return inRange(h, 0, 23) && inRange(m, 0, 59) && (sec === undefined || inRange(sec, 0, 59));
}

/** "date", "date time" (any spaces between), the two parts judged by the given checks. */
function dateThenClock(s: string, clockRequired: boolean): boolean {
  const words = s.trim().split(/\s+/);
  if (words.length === 1) return clockRequired ? isClock(words[0]) : isDate(words[0]);
  return words.length === 2 && isDate(words[0]) && isClock(words[1]);
}

/** One point, or a range "a~b" (spaces around ~ allowed). */
function pointOrRange(s: string, start: (p: string) => boolean, end: (p: string) => boolean): boolean {
  const sides = s.split('~');
  if (sides.length > 2 || sides.some((side) => side.trim() === '')) return false;
  return start(sides[0].trim()) && (sides.length === 1 || end(sides[1].trim()));
}

/** type → does WeChat take `value` (already known non-empty) for a field of that type. */
const RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => charsOf(v).length <= 20,
  number: (v) => {
    const n = decimalDigits(v);
    return n >= 1 && n <= 32;
  },
  letter: (v) => charsOf(v).length <= 32 && all(v, isLetter),
  symbol: (v) => charsOf(v).length <= 5 && all(v, isSymbol),
  character_string: (v) => charsOf(v).length <= 32 && all(v, (ch) => isDigit(ch) || isLetter(ch) || isSymbol(ch)),
  // A time may carry a date in front; a range may end with another time or date-time.
  time: (v) =>
    pointOrRange(
      v,
      (p) => dateThenClock(p, true),
      (p) => dateThenClock(p, true),
    ),
  // A date may carry a time; a range may end with a date, a date-time, or just the time ("… 10:00~12:00").
  date: (v) =>
    pointOrRange(
      v,
      (p) => dateThenClock(p, false),
      (p) => dateThenClock(p, false) || isClock(p),
    ),
  amount: (v) => {
    const chars = charsOf(v);
    const [currency] = chars;
    if (!/^\p{Sc}$/u.test(currency)) return false;
    const rest = chars.slice(1).join('');
    const number = rest.endsWith('元') ? rest.slice(0, -1) : rest;
    const n = decimalDigits(number);
    return n >= 1 && n <= 10;
  },
  phone_number: (v) => charsOf(v).length <= 17 && all(v, (ch) => isDigit(ch) || isSymbol(ch)),
  // Plates: Chinese characters only at the ends (粤A8Z888挂), letters and digits between.
  car_number: (v) => {
    const chars = charsOf(v);
    return chars.length <= 8 && chars.every((ch, i) => isDigit(ch) || isLetter(ch) || (isHan(ch) && (i === 0 || i === chars.length - 1)));
  },
  // A Chinese name (letters and the middle dot of transliterated names may appear in it), or a Latin one.
  name: (v) => {
    const chars = charsOf(v);
    if (chars.some(isHan)) return chars.length <= 10 && chars.every((ch) => isHan(ch) || isLetter(ch) || ch === '·');
    return chars.length <= 20 && isLetter(chars[0]) && chars.every((ch) => isLetter(ch) || " .'-".includes(ch));
  },
  phrase: (v) => charsOf(v).length <= 5 && all(v, isHan),
  // Allowed values are set per template in the MP console; not modelled, any short value passes.
  enum: (v) => charsOf(v).length <= 20,
};

/** thing1 → thing, character_string12 → character_string; undefined for a key that is not "<type><number>". */
export function typeFromKey(key: string): string | undefined {
  const digitsAt = key.search(/\d+$/);
  if (digitsAt <= 0) return undefined;
  const type = key.slice(0, digitsAt);
  return /^[a-z_]+$/.test(type) ? type : undefined;
}

/** Whether WeChat's documented rule for `type` accepts `value`. Empty values never pass; unknown types never do. */
export function acceptsValue(type: string, value: string): boolean {
  const rule = RULES[type];
  return rule !== undefined && value !== '' && rule(value);
}

/**
 * What WeChat does beyond its documented rules: it refuses some 5-character phrases (47003) and nobody
 * publishes which. The emulator takes the pessimistic side and refuses every 5-character phrase, so a phrase
 * list that passes here (the server's SUBSCRIBE_PHRASES) passes at WeChat as far as anyone knows.
 */
export function refusedInPractice(type: string, value: string): boolean {
  return type === 'phrase' && charsOf(value).length === 5;
}
