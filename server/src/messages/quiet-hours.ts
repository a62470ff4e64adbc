import { DateTime } from 'luxon';

export interface QuietHours {
  /** "21:00", local time in the business time zone. */
  start: string;
  /** "09:00"; before `start` means the quiet period runs past midnight. */
  end: string;
}

/**
 * When quiet hours end, if `at` falls inside them; null when sending is allowed at `at`. A window that
 * crosses midnight (21:00–09:00) is quiet from 21:00 to 23:59:59 and from 00:00 to 08:59:59; equal start
 * and end means no quiet hours.
 */
export function quietUntil(at: Date, quiet: QuietHours, timeZone: string): Date | null {
  if (quiet.start === quiet.end) return null;
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const hhmm = local.toFormat('HH:mm');
  const [endHour, endMinute] = quiet.end.split(':').map(Number);
  const endToday = local.set({ hour: endHour, minute: endMinute, second: 0, millisecond: 0 });
  const crossesMidnight = quiet.start > quiet.end;
  if (crossesMidnight) {
    if (hhmm >= quiet.start) return endToday.plus({ days: 1 }).toJSDate();
    if (hhmm < quiet.end) return endToday.toJSDate();
    return null;
  }
  return hhmm >= quiet.start && hhmm < quiet.end ? endToday.toJSDate() : null;
}
