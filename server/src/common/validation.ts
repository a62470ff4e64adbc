import { API_PREFIX } from '@member/shared';
import { z } from 'zod';

/**
 * The field rules every DTO shares (issue 14, point 7), so a hardening is made once and holds everywhere:
 * numbers in plain decimal only, ids as positive integers, free text without control or direction-changing
 * characters, and avatar URLs only from hosts we trust.
 */

/** The largest id an INT id column holds. */
export const MAX_ID = 2 ** 31 - 1;

/** Plain decimal digits: no sign, exponent, hex, blanks or leading zeros ('1e3', '0x10', ' 12', '+5', '012'). */
const DECIMAL = /^(0|[1-9]\d{0,15})$/;

/**
 * A whole number in a query string or path, written in plain decimal. `z.coerce.number()` took anything
 * `Number()` takes: '1e3', '0x10', ' 12', '+5', '' (as 0).
 */
export function decimalInt(min: number, max: number) {
  return z.string().regex(DECIMAL, 'must be a whole number in plain decimal digits').transform(Number).pipe(z.int().min(min).max(max));
}

/** An id in a path or query: a positive integer in plain decimal. */
export const idParam = decimalInt(1, MAX_ID);

/** An id in a JSON body (a JSON number, which cannot carry blanks or hex; see also the exponent check at parse). */
export const idField = z.int().min(1).max(MAX_ID);

/**
 * Characters free text may not hold: C0/C1 controls (and DEL), bidirectional embeddings, overrides and isolates
 * (U+202A–202E, U+2066–2069, and the marks U+200E/200F/061C) that make a name display as something else, zero-width
 * characters and the BOM, line/paragraph separators, and lone surrogates (not text; MySQL's utf8mb4 refuses them).
 */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Cs}\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const FORBIDDEN_IN_MULTILINE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
  /[\p{Cs}\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

/** Free text (names, descriptions, reasons): trimmed, `min`..`max` characters, no control or bidi characters. */
export function plainText(min: number, max: number, options: { multiline?: boolean } = {}) {
  const forbidden = options.multiline ? FORBIDDEN_IN_MULTILINE : FORBIDDEN_IN_TEXT;
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((text) => !forbidden.test(text), 'must not contain control or text-direction characters');
}

export function hasForbiddenText(text: string): boolean {
  return FORBIDDEN_IN_TEXT.test(text);
}

/** WeChat's avatar and media hosts (what wx.getUserProfile/chooseAvatar and the MP CDN hand out). */
export const WECHAT_AVATAR_HOSTS = ['thirdwx.qlogo.cn', 'wx.qlogo.cn', 'mmbiz.qpic.cn', 'mmbiz.qlogo.cn'] as const;

const OWN_AVATAR_PATH = new RegExp(`^${API_PREFIX}/media/avatars/[0-9a-f]{64}$`);

/** Whether an avatar URL is one of ours (an uploaded avatar's path) or an https URL on a WeChat host. */
export function isTrustedAvatarUrl(value: string): boolean {
  if (OWN_AVATAR_PATH.test(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    !url.username &&
    !url.password &&
    !url.port &&
    (WECHAT_AVATAR_HOSTS as readonly string[]).includes(url.hostname) &&
    !/[\s<>"'`]/.test(value)
  );
}

export const avatarUrl = z
  .string()
  .max(512)
  .refine(
    isTrustedAvatarUrl,
    `must be an uploaded avatar (${API_PREFIX}/media/avatars/…) or an https URL on ${WECHAT_AVATAR_HOSTS.join(', ')}`,
  );

/**
 * Whether a JSON text writes any number other than in plain decimal (an exponent: 1e3, 1E-2). JSON itself has
 * no hex, '+' or blanks inside numbers, but JSON.parse accepts exponents, and 1e3 would pass as 1000.
 */
export function jsonHasExponentNumber(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x65 || c === 0x45) {
      // 'e' or 'E' outside a string is either an exponent or part of true/false.
      const before = text.charCodeAt(i - 1);
      if (before >= 0x30 && before <= 0x39) return true;
      if (before === 0x2e) return true;
    }
  }
  return false;
}

/** A store's code (the store table's key). */
export const storeCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, _ or -');
