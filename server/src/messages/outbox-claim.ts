import { OutboxStatus } from '@member/shared';
import { In, type EntityManager } from 'typeorm';
import { forUpdate, forUpdateSkipLocked, sqlDate, sqlDateValue } from '../database/dialect';
import { OutboxMessage } from './message.entities';

/** Claims per pass at most, whatever the rate allows (a pass sends them before the next claim). */
export const CLAIM_LIMIT = 500;
/** A row still `sending` this long after its claim belongs to a sender that died mid-call: never resent. */
const INTERRUPTED_AFTER_MS = 10 * 60_000;

/**
 * Takes due rows for this pass, marked `sending` before any WeChat call (so a crash never causes a blind
 * resend). The one-row send window is locked first, so instances take turns for the per-second budget (the
 * rate holds across all of them); SKIP LOCKED keeps rows another transaction holds out of reach.
 */
export async function claimDue(em: EntityManager, now: Date, sendRatePerSecond: number): Promise<OutboxMessage[]> {
  const [window] = (await em.query(`SELECT slot_start AS slotStart, used FROM message_send_window WHERE id = 1${forUpdate(em)}`)) as Array<{
    slotStart: Date | string;
    used: number | string;
  }>;
  const slot = Math.floor(now.getTime() / 1000) * 1000;
  const used = window && sqlDateValue(window.slotStart).getTime() === slot ? Number(window.used) : 0;
  const budget = Math.min(sendRatePerSecond - used, CLAIM_LIMIT);
  if (budget <= 0) return [];
  const due = (await em.query(
    `SELECT id FROM message_outbox WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT ${budget}${forUpdateSkipLocked(em)}`,
    [OutboxStatus.Queued, sqlDate(em, now)],
  )) as Array<{ id: number | string }>;
  if (due.length === 0) return [];
  const ids = due.map((row) => Number(row.id));
  await em
    .createQueryBuilder()
    .update(OutboxMessage)
    .set({ status: OutboxStatus.Sending, claimedAt: now, attempts: () => 'attempts + 1' })
    .where('id IN (:...ids) AND status = :queued', { ids, queued: OutboxStatus.Queued })
    .execute();
  await em.query('UPDATE message_send_window SET slot_start = ?, used = ? WHERE id = 1', [sqlDate(em, new Date(slot)), used + ids.length]);
  // Ours: locked by this transaction since the SELECT, so no other sender can have moved them.
  return em.find(OutboxMessage, { where: { id: In(ids), status: OutboxStatus.Sending }, order: { id: 'ASC' } });
}

/**
 * Rows left `sending` by a sender that died or failed. One whose grant was never spent was never admitted, so
 * WeChat was never called for it: queued again. The others died mid-call: failed, never resent (WeChat may have them).
 */
export async function markInterrupted(em: EntityManager, now: Date): Promise<void> {
  const before = new Date(now.getTime() - INTERRUPTED_AFTER_MS);
  await em
    .createQueryBuilder()
    .update(OutboxMessage)
    .set({ status: OutboxStatus.Queued, dueAt: now, error: 'interrupted before sending: queued again' })
    .where('status = :sending AND claimed_at < :before AND grant_spent = :unspent', {
      sending: OutboxStatus.Sending,
      before,
      unspent: false,
    })
    .execute();
  await em
    .createQueryBuilder()
    .update(OutboxMessage)
    .set({ status: OutboxStatus.Failed, error: 'interrupted while sending: not resent' })
    .where('status = :sending AND claimed_at < :before', { sending: OutboxStatus.Sending, before })
    .execute();
}
