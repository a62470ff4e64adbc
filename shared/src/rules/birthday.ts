import {
  addMonths,
  compareCalendarDates,
  daysInMonth,
  formatCalendarDate,
  isLeapYear,
  parseCalendarDate,
  type CalendarDate,
} from '../calendar';

export interface BirthdayRule {
  /** A set birthday may be changed again only this many months after it was last set (product default 12). */
  changeCooldownMonths: number;
  /** Oldest accepted age in years, to reject typos such as 1025-05-01. */
  maxAgeYears: number;
}

export type BirthdayChangeDecision =
  | { ok: true; changed: boolean }
  | { ok: false; code: 'BIRTHDAY_INVALID' }
  | { ok: false; code: 'BIRTHDAY_CHANGE_TOO_SOON'; nextChangeOn: CalendarDate };

/**
 * Decides whether a member may set their birthday to `requested` today. Birthday perks are worth abusing,
 * so a birthday, once set, is locked for `changeCooldownMonths`. Re-sending the same birthday is a no-op
 * success, so a retried request never fails.
 */
export function decideBirthdayChange(input: {
  current: CalendarDate | null;
  lastSetOn: CalendarDate | null;
  requested: string;
  today: CalendarDate;
  rule: BirthdayRule;
}): BirthdayChangeDecision {
  const { current, lastSetOn, requested, today, rule } = input;
  const parsed = parseCalendarDate(requested);
  const todayParsed = parseCalendarDate(today);
  if (!parsed || !todayParsed) return { ok: false, code: 'BIRTHDAY_INVALID' };
  if (compareCalendarDates(requested, today) > 0) return { ok: false, code: 'BIRTHDAY_INVALID' };
  if (parsed.year < todayParsed.year - rule.maxAgeYears) return { ok: false, code: 'BIRTHDAY_INVALID' };
  if (current === requested) return { ok: true, changed: false };
  if (current !== null && lastSetOn !== null) {
    const nextChangeOn = nextBirthdayChangeOn(lastSetOn, rule);
    if (compareCalendarDates(today, nextChangeOn) < 0) {
      return { ok: false, code: 'BIRTHDAY_CHANGE_TOO_SOON', nextChangeOn };
    }
  }
  return { ok: true, changed: true };
}

export function nextBirthdayChangeOn(lastSetOn: CalendarDate, rule: BirthdayRule): CalendarDate {
  return addMonths(lastSetOn, rule.changeCooldownMonths);
}

/** How long the birthday perk lasts: the whole birthday month, or the birthday itself (configurable). */
export type BirthdayWindowKind = 'month' | 'day';
export const BIRTHDAY_WINDOW_KINDS: readonly BirthdayWindowKind[] = ['month', 'day'];

/**
 * One birthday window on the business calendar: the members born on `days` of `month` get their perk for
 * `year` when it opens, with double points through `closesOn`.
 */
export interface BirthdayWindow {
  kind: BirthdayWindowKind;
  /** "2026-11" for a month window, "2026-11-03" for a day window: names the window in logs and results. */
  key: string;
  /** The perk year: one perk per member per calendar year. */
  year: number;
  month: number;
  /** The birth days (of `month`) this window covers, ascending. */
  days: number[];
  opensOn: CalendarDate;
  /** Last day of the window, inclusive (double points end at 23:59:59 local time that day). */
  closesOn: CalendarDate;
}

/**
 * The birthday window that opens on `date`, or null when none does (a month window opens only on the 1st).
 * A month window covers every day of the month; in February that includes the 29th even in a non-leap year,
 * so members born on 29 February are never left out. A day window covers that day; on 28 February of a
 * non-leap year it also covers the 29th, so those members celebrate on the 28th.
 */
export function birthdayWindowOpeningOn(date: CalendarDate, kind: BirthdayWindowKind): BirthdayWindow | null {
  const parsed = parseCalendarDate(date);
  if (!parsed) throw new RangeError(`not a calendar date: ${date}`);
  const { year, month, day } = parsed;
  if (kind === 'month') {
    if (day !== 1) return null;
    const lastDay = daysInMonth(year, month);
    const days = Array.from({ length: month === 2 ? 29 : lastDay }, (_, i) => i + 1);
    return { kind, key: date.slice(0, 7), year, month, days, opensOn: date, closesOn: formatCalendarDate(year, month, lastDay) };
  }
  const days = month === 2 && day === 28 && !isLeapYear(year) ? [28, 29] : [day];
  return { kind, key: date, year, month, days, opensOn: date, closesOn: date };
}

/** The birthday window `date` falls in: the month's window, or that day's. Every date lies in exactly one. */
export function birthdayWindowContaining(date: CalendarDate, kind: BirthdayWindowKind): BirthdayWindow {
  const opensOn = kind === 'month' ? `${date.slice(0, 7)}-01` : date;
  const window = birthdayWindowOpeningOn(opensOn, kind);
  if (!window) throw new RangeError(`no birthday window contains ${date}`);
  return window;
}

/** Where a member born on `month`/`day` has their window in `year` (29 February → 28 February in non-leap years). */
export function memberBirthdayWindow(month: number, day: number, year: number, kind: BirthdayWindowKind): BirthdayWindow {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(2000, month)) throw new RangeError(`not a birthday: ${month}-${day}`);
  const celebratedOn = formatCalendarDate(year, month, Math.min(day, daysInMonth(year, month)));
  return birthdayWindowContaining(celebratedOn, kind);
}
