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

/** A clock that can be set: what the test-mode endpoint POST /api/test/clock needs. */
export interface SettableClock {
  set(at: Date | string): void;
}

export function isSettableClock(clock: Clock): clock is Clock & SettableClock {
  return typeof (clock as Partial<SettableClock>).set === 'function';
}

/**
 * The clock of a server process started with NODE_ENV=test: the system clock until an end-to-end test sets
 * it, then running on from the time set (an offset, so sessions, member codes and timers keep ticking).
 */
export class ShiftedClock extends Clock implements SettableClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  set(at: Date | string): void {
    this.offsetMs = new Date(at).getTime() - Date.now();
  }
}

/** A clock tests set and advance by hand. */
export class ManualClock extends Clock implements SettableClock {
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

const BUCKET_MS = 15 * 60_000;
const dayStarts = new Map<string, number>();

/**
 * The instant the business day containing `at` began (local midnight in `timeZone`). Memoized per
 * 15-minute bucket: every real zone's offset is a multiple of 15 minutes, so local midnight never falls
 * inside a bucket and all instants of a bucket share one answer. Hot paths (claims, wallet badges) ask this
 * thousands of times a second; luxon's zone arithmetic was 9 % of a claim's CPU.
 */
export function startOfBusinessDay(at: Date, timeZone: string): Date {
  const bucket = Math.floor(at.getTime() / BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    start = DateTime.fromJSDate(at, { zone: timeZone }).startOf('day').toMillis();
    if (dayStarts.size > 50_000) dayStarts.clear();
    dayStarts.set(key, start);
  }
  return new Date(start);
}

/** Local midnight starting the business day `days` after the one containing `at` (DST-safe). */
export function addBusinessDays(at: Date, days: number, timeZone: string): Date {
  // Noon of the target day is at least 11 hours from either midnight whatever a DST change does.
  const noon = startOfBusinessDay(at, timeZone).getTime() + days * 86_400_000 + 12 * 3_600_000;
  return startOfBusinessDay(new Date(noon), timeZone);
}
