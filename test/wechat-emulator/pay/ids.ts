// Identifiers shaped like WeChat Pay's, so the server's columns and regexes meet realistic values.
import { randomBytes, randomInt } from 'node:crypto';
import { beijingStamp } from './crypto';

function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

/** `wx` + Beijing yyyyMMddHHmmss + 20 hex: 36 characters, like wx201410272009395522657a690389285100. */
export function newPrepayId(now: number): string {
  return `wx${beijingStamp(now)}${randomBytes(10).toString('hex')}`;
}

/** 28 digits: 4200 + 6 digits + yyyyMMdd + 10 digits, like 4200000985202505201234567890. */
export function newTransactionId(now: number): string {
  return `4200${digits(6)}${beijingStamp(now).slice(0, 8)}${digits(10)}`;
}

/** 29 digits starting 50, like 50000000382019052709732678859. */
export function newRefundId(now: number): string {
  return `50${digits(9)}${beijingStamp(now).slice(0, 8)}${digits(10)}`;
}

/** `EV-` + Beijing yyyyMMddHHmmss + digits, the shape of the documented EV-2018022511223320873; one id per
 * event, repeated on every retry of it. */
export function newEventId(now: number): string {
  return `EV-${beijingStamp(now)}${digits(8)}`;
}

/** The Request-ID header WeChat puts on every API answer (merchants quote it to support). */
export function newRequestId(): string {
  return `08${randomBytes(16).toString('hex').toUpperCase()}`;
}
