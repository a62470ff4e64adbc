import type { CalendarDate } from '@member/shared';
import { DateTime } from 'luxon';
import { businessDate } from '../common/clock';
import { spendWindowStart } from '../points/spend';

/**
 * The two business-calendar facts every card needs: today's date (the birthday lock) and where the rolling
 * tier window starts. Each is a luxon zone conversion (Intl offsets), together ~7% of the server's busy CPU
 * under the card bench, for answers that change once a day and once a second. Memoized on what they depend on,
 * so they answer exactly what businessDate and spendWindowStart answer, for any clock (a test clock that jumps
 * lands outside the memo and is computed afresh):
 * - today: the business day's [start, next start) interval; any instant inside has that date.
 * - window start: `months` calendar months back moves the wall clock and keeps the milliseconds, so within one
 *   second (offsets change on whole seconds) the window's length is the same; it is kept per second.
 */
export class CardCalendar {
  private day: { from: number; until: number; date: CalendarDate } | null = null;
  private window: { second: number; lengthMs: number } | null = null;

  constructor(
    private readonly timeZone: string,
    private readonly months: number,
  ) {}

  today(now: Date): CalendarDate {
    const t = now.getTime();
    if (!this.day || t < this.day.from || t >= this.day.until) {
      const start = DateTime.fromJSDate(now, { zone: this.timeZone }).startOf('day');
      this.day = {
        from: start.toMillis(),
        until: start.plus({ days: 1 }).startOf('day').toMillis(),
        date: businessDate(now, this.timeZone),
      };
    }
    return this.day.date;
  }

  windowStart(now: Date): Date {
    const t = now.getTime();
    const second = Math.floor(t / 1000) * 1000;
    if (this.window?.second !== second) {
      this.window = { second, lengthMs: second - spendWindowStart(new Date(second), this.months, this.timeZone).getTime() };
    }
    return new Date(t - this.window.lengthMs);
  }
}
