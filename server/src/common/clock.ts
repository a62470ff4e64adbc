import { DateTime } from 'luxon';
import type { CalendarDate } from '@member/shared';

/**
 * The one source of "now" for domain code, injectable so tests can move time (expiry, birthdays, cooldowns)
 * without sleeping. Production uses the system clock.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock tests set and advance by hand. */
export class ManualClock extends Clock {
  constructor(private current: Date = new Date()) {
    super();
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** The calendar date of an instant in the business time zone (birthdays, "valid until 23:59:59", quiet hours). */
export function businessDate(at: Date, timeZone: string): CalendarDate {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate() as CalendarDate;
}
