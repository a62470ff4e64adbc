// Identifiers shaped like WeChat's, so column widths and regexes in our server meet realistic values.
import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * The openid WeChat would give `user` inside mini-program `appid`: stable per (app, user), different
 * across apps, 28 url-safe base64 chars starting with "o" like real ones. Pure, so the demo start
 * script can compute a staff member's openid before that user ever logs in.
 */
export function openidFor(appid: string, user: string): string {
  return 'o' + createHash('sha256').update(`${appid}:${user}`).digest('base64url').slice(0, 27);
}

/** unionid is per Open Platform account, not per app: the same user gets the same one in every app. */
export function unionidFor(user: string): string {
  return 'o' + createHash('sha256').update(`unionid:${user}`).digest('base64url').slice(0, 27);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** wx.login codes are 32 alphanumerics; never "risk_"/"busy_", which are the magic test codes. */
export function newLoginCode(): string {
  let code = '';
  for (let i = 0; i < 32; i++) code += ALNUM[randomInt(ALNUM.length)];
  return code;
}

/** getPhoneNumber codes are long hex strings. */
export function newPhoneCode(): string {
  return randomBytes(32).toString('hex');
}

/** 16 random bytes, base64: 24 chars, the length of a real session_key (an AES-128 key). */
export function newSessionKey(): string {
  return randomBytes(16).toString('base64');
}

/** Real tokens are ~150 chars with a numeric prefix; WeChat asks callers to reserve 512. */
export function newAccessToken(): string {
  return '92_' + randomBytes(112).toString('base64url');
}

/** The `rid` WeChat appends to every errmsg: three groups of 8 hex digits. */
export function newRid(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16)}`;
}
