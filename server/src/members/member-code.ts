import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The rotating member code shown at the till: digits only, so it fits a CODE128 barcode and a clerk can type
 * it. Layout: prefix (2 digits) + period counter mod 1000 (3 digits) + member id + MAC (8 digits).
 * The MAC is an HMAC-SHA256 over (prefix, member id, full period counter) truncated to 8 decimal digits,
 * so a screenshot stops working once its period (plus a short grace for a slow scan) has passed, and a
 * made-up code passes with odds of 1 in 10^8. Verification needs only the secret and the clock, never the
 * database, so any server instance can check a code issued by another.
 */
export interface MemberCodeSettings {
  secret: string;
  prefix: string;
  periodSeconds: number;
  graceSeconds: number;
}

/** Tolerated clock difference between the instance that issued a code and the one that verifies it. */
const ISSUE_SKEW_MS = 5_000;
const COUNTER_DIGITS = 3;
const MAC_DIGITS = 8;
const COUNTER_MODULUS = 10 ** COUNTER_DIGITS;

export interface IssuedMemberCode {
  code: string;
  expiresAt: Date;
  refreshInSeconds: number;
}

export type MemberCodeCheck = { ok: true; memberId: number } | { ok: false; reason: 'INVALID' | 'EXPIRED' };

function mac(settings: MemberCodeSettings, memberId: number, counter: number): string {
  const digest = createHmac('sha256', settings.secret).update(`${settings.prefix}|${memberId}|${counter}`).digest();
  return (digest.readBigUInt64BE(0) % BigInt(10 ** MAC_DIGITS)).toString().padStart(MAC_DIGITS, '0');
}

export function issueMemberCode(settings: MemberCodeSettings, memberId: number, now: Date): IssuedMemberCode {
  if (!Number.isSafeInteger(memberId) || memberId < 1) throw new RangeError(`bad member id ${memberId}`);
  const periodMs = settings.periodSeconds * 1000;
  const counter = Math.floor(now.getTime() / periodMs);
  const periodEndMs = (counter + 1) * periodMs;
  const counterDigits = String(counter % COUNTER_MODULUS).padStart(COUNTER_DIGITS, '0');
  return {
    code: `${settings.prefix}${counterDigits}${memberId}${mac(settings, memberId, counter)}`,
    expiresAt: new Date(periodEndMs + settings.graceSeconds * 1000),
    refreshInSeconds: Math.max(1, Math.ceil((periodEndMs - now.getTime()) / 1000)),
  };
}

/**
 * The member id a code claims, without checking its MAC (null when it is not shaped like a member code): what
 * wrong guesses are counted against, so guessing one member's code from many staff accounts still locks.
 */
export function claimedMemberId(settings: Pick<MemberCodeSettings, 'prefix'>, input: string): number | null {
  const code = input.replace(/[\s-]/g, '');
  const minLength = settings.prefix.length + COUNTER_DIGITS + 1 + MAC_DIGITS;
  if (!/^\d+$/.test(code) || code.length < minLength || code.length > minLength + 15 || !code.startsWith(settings.prefix)) return null;
  const memberIdText = code.slice(settings.prefix.length + COUNTER_DIGITS, -MAC_DIGITS);
  const memberId = Number(memberIdText);
  return memberIdText.startsWith('0') || !Number.isSafeInteger(memberId) ? null : memberId;
}

/** Whether a member code is genuine and still fresh; spaces and dashes a clerk typed are ignored. */
export function checkMemberCode(settings: MemberCodeSettings, input: string, now: Date): MemberCodeCheck {
  const code = input.replace(/[\s-]/g, '');
  const minLength = settings.prefix.length + COUNTER_DIGITS + 1 + MAC_DIGITS;
  if (!/^\d+$/.test(code) || code.length < minLength || code.length > minLength + 15) return { ok: false, reason: 'INVALID' };
  if (!code.startsWith(settings.prefix)) return { ok: false, reason: 'INVALID' };
  const counterDigits = Number(code.slice(settings.prefix.length, settings.prefix.length + COUNTER_DIGITS));
  const memberIdText = code.slice(settings.prefix.length + COUNTER_DIGITS, -MAC_DIGITS);
  if (memberIdText.startsWith('0')) return { ok: false, reason: 'INVALID' };
  const memberId = Number(memberIdText);
  if (!Number.isSafeInteger(memberId)) return { ok: false, reason: 'INVALID' };

  // The full counter is the latest one, up to the skew into the future, that ends in these digits.
  const periodMs = settings.periodSeconds * 1000;
  const latest = Math.floor((now.getTime() + ISSUE_SKEW_MS) / periodMs);
  const counter = latest - ((((latest - counterDigits) % COUNTER_MODULUS) + COUNTER_MODULUS) % COUNTER_MODULUS);

  const expected = Buffer.from(mac(settings, memberId, counter));
  const given = Buffer.from(code.slice(-MAC_DIGITS));
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'INVALID' };
  const expiresAtMs = (counter + 1) * periodMs + settings.graceSeconds * 1000;
  if (now.getTime() >= expiresAtMs) return { ok: false, reason: 'EXPIRED' };
  return { ok: true, memberId };
}
