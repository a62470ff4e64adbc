/**
 * Calendar dates ("YYYY-MM-DD") in the business calendar. The caller decides which zone "today" is in
 * (Asia/Shanghai by default, server-side); these functions only do date arithmetic, so they stay pure and
 * behave the same in the server and the mini-program.
 */
export type CalendarDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseCalendarDate(value: string): { year: number; month: number; day: number } | null {
  const match = DATE_RE.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function formatCalendarDate(year: number, month: number, day: number): CalendarDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Adds whole months; a day that does not exist in the target month clamps to its last day (02-29 + 12 → 02-28). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const parsed = parseCalendarDate(date);
  if (!parsed) throw new RangeError(`not a calendar date: ${date}`);
  const index = parsed.year * 12 + (parsed.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return formatCalendarDate(year, month, Math.min(parsed.day, daysInMonth(year, month)));
}

/** ISO dates compare correctly as strings once validated. */
export function compareCalendarDates(a: CalendarDate, b: CalendarDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
