import { addMonths, compareCalendarDates, parseCalendarDate, type CalendarDate } from '../calendar';

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
