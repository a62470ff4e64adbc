import type { IdentifiedMemberView } from '@member/shared';
import { businessDate } from './dates';

/** The longest member code (prefix + counter + member id + MAC), what the number pad accepts. */
export const MEMBER_CODE_MAX_DIGITS = 40;

/**
 * "张小明" → "张**": the clerk recognises the customer without the name on a screen the queue can read. Always two
 * stars, so the mask does not tell the name's length; a one-character name shows none of it.
 */
export function maskName(nickname: string | null | undefined): string {
  const characters = Array.from((nickname ?? '').trim());
  if (characters.length === 0) return '微信用户';
  if (characters.length === 1) return '***';
  return `${characters[0]}**`;
}

/** A key of the number pad pressed: digits only, up to the longest code. */
export function pressDigit(code: string, key: string): string {
  if (!/^\d$/.test(key) || code.length >= MEMBER_CODE_MAX_DIGITS) return code;
  return code + key;
}

/** What the clerk typed or scanned, as the server reads it: spaces and dashes dropped. */
export function codeDigits(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

/** "6612 3456 7890 12": groups of four, as printed under the member's barcode. */
export function groupDigits(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Whether the till ticket still lets the clerk record and redeem; a little early, so a request never lands late. */
export function ticketUsable(member: Pick<IdentifiedMemberView, 'tillTicketExpiresAt'>, now: Date, marginMs = 5_000): boolean {
  return Date.parse(member.tillTicketExpiresAt) - marginMs > now.getTime();
}

/** Minutes left on the ticket, rounded up ("还可操作 9 分钟"). */
export function ticketMinutesLeft(member: Pick<IdentifiedMemberView, 'tillTicketExpiresAt'>, now: Date): number {
  return Math.max(0, Math.ceil((Date.parse(member.tillTicketExpiresAt) - now.getTime()) / 60_000));
}

/** Today on the business calendar (what the sales history opens on). */
export function businessToday(now = new Date()): string {
  return businessDate(now);
}

/** "2026-11-24" → "11月24日", with 今天 / 昨天 for the two days a clerk asks about most. */
export function dayLabel(date: string, today: string): string {
  if (date === today) return '今天';
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  if (date === yesterday) return '昨天';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  const sameYear = today.slice(0, 4) === match[1];
  return `${sameYear ? '' : `${Number(match[1])}年`}${Number(match[2])}月${Number(match[3])}日`;
}

/** What a refund does besides the money, for the confirmation: only what applies to this sale. */
export function refundConsequences(sale: { pointsEarned: number; pointsBurned: number; couponDiscountFen: number }, full: boolean): string {
  const parts = [
    sale.pointsEarned > 0 ? '本单所得积分按比例扣回' : '',
    sale.pointsBurned > 0 ? '抵扣的积分按比例退回' : '',
    full && sale.couponDiscountFen > 0 ? '优惠券退回' : '',
  ].filter(Boolean);
  return parts.length ? `${parts.join('，')}。` : '';
}
