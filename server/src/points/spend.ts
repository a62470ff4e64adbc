import type { EntityManager } from 'typeorm';
import { DateTime } from 'luxon';
import { sqlDate } from '../database/dialect';

/**
 * Spend in the rolling tier window: money paid minus money refunded, over purchases made in the last
 * `months` months (calendar months on the business calendar). Uses idx_purchase_member_time.
 */
export async function spendInWindow(
  em: Pick<EntityManager, 'query' | 'connection'>,
  memberId: number,
  now: Date,
  months: number,
  timeZone: string,
): Promise<number> {
  const since = spendWindowStart(now, months, timeZone);
  const rows: Array<{ spend: number | string | null }> = await em.query(
    'SELECT COALESCE(SUM(paid_fen - refunded_fen), 0) AS spend FROM purchase WHERE member_id = ? AND purchased_at > ?',
    [memberId, sqlDate(em, since)],
  );
  return Number(rows[0]?.spend ?? 0);
}

/** Where the rolling tier window starts: `months` calendar months before `now` on the business calendar (exclusive). */
export function spendWindowStart(now: Date, months: number, timeZone: string): Date {
  return DateTime.fromJSDate(now, { zone: timeZone }).minus({ months }).toJSDate();
}
