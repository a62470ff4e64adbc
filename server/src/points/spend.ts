import type { EntityManager } from 'typeorm';
import { DateTime } from 'luxon';
import { ordersRepository } from '../orders/orders.repository';

/**
 * Spend in the rolling tier window: money paid minus money refunded, over purchases made in the last
 * `months` months (calendar months on the business calendar), as orders (the purchases' owner) sums it.
 */
export async function spendInWindow(
  em: Pick<EntityManager, 'query' | 'connection'>,
  memberId: number,
  now: Date,
  months: number,
  timeZone: string,
): Promise<number> {
  return ordersRepository.spendSince(em, memberId, spendWindowStart(now, months, timeZone));
}

/** Where the rolling tier window starts: `months` calendar months before `now` on the business calendar (exclusive). */
export function spendWindowStart(now: Date, months: number, timeZone: string): Date {
  return DateTime.fromJSDate(now, { zone: timeZone }).minus({ months }).toJSDate();
}
