import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The till ticket: what identifying a member at the till hands the clerk, so the rest of the sale (amount,
 * coupon, points, confirming) does not race the member code's 60-second rotation. It is signed, not stored:
 * any instance checks it with the secret and the clock. It names the clerk (staff id), the member, the store
 * it was taken at (null for an account with several stores that named none) and when it ends; it says nothing
 * a clerk could not already see, and is useless to anyone else (the clerk is checked on use).
 */
export interface TillTicketClaims {
  staffId: number;
  memberId: number;
  storeCode: string | null;
  expiresAt: Date;
}

export type TillTicketCheck =
  { ok: true; claims: TillTicketClaims } | { ok: false; reason: 'TILL_TICKET_INVALID' | 'TILL_TICKET_EXPIRED' | 'TILL_TICKET_NOT_YOURS' };

const VERSION = 't1';
/** 128 bits of HMAC-SHA256: forging one is out of reach, and the ticket stays short enough for a query string. */
const MAC_BYTES = 16;

/** A key of its own, derived from the member-code secret, so a ticket's MAC can never pass as anything else's. */
export function tillTicketKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('till-ticket/v1').digest();
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
}

export function signTillTicket(key: Buffer, claims: TillTicketClaims): string {
  const body = [VERSION, claims.staffId, claims.memberId, claims.storeCode ?? '', Math.floor(claims.expiresAt.getTime() / 1000)];
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/**
 * Genuine, unexpired, this clerk's, and for this store (a ticket taken without a store fits any store the
 * caller already allowed the clerk). The signature is checked first, so a forged ticket never learns more.
 */
export function checkTillTicket(
  key: Buffer,
  ticket: string,
  expect: { staffId: number; storeCode: string | null; now: Date },
): TillTicketCheck {
  const [payload, signature, extra] = ticket.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'TILL_TICKET_INVALID' };
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(key, payload))) return { ok: false, reason: 'TILL_TICKET_INVALID' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'TILL_TICKET_INVALID' };
  }
  if (!Array.isArray(body) || body.length !== 5 || body[0] !== VERSION) return { ok: false, reason: 'TILL_TICKET_INVALID' };
  const [, staffId, memberId, storeCode, expiresAtSeconds] = body as [string, number, number, string, number];
  if (![staffId, memberId, expiresAtSeconds].every(Number.isSafeInteger) || typeof storeCode !== 'string') {
    return { ok: false, reason: 'TILL_TICKET_INVALID' };
  }
  const claims: TillTicketClaims = { staffId, memberId, storeCode: storeCode || null, expiresAt: new Date(expiresAtSeconds * 1000) };
  if (expect.now.getTime() >= claims.expiresAt.getTime()) return { ok: false, reason: 'TILL_TICKET_EXPIRED' };
  if (claims.staffId !== expect.staffId) return { ok: false, reason: 'TILL_TICKET_NOT_YOURS' };
  if (claims.storeCode !== null && expect.storeCode !== null && claims.storeCode !== expect.storeCode) {
    return { ok: false, reason: 'TILL_TICKET_NOT_YOURS' };
  }
  return { ok: true, claims };
}
