import { formatCalendarDate, type CalendarDate } from '@member/shared';

/** Today on the device's calendar ("YYYY-MM-DD"), the latest birthday the picker offers. */
export function todayOnDevice(now = new Date()): CalendarDate {
  return formatCalendarDate(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

/** "2025-03-08" → "2025年3月8日". */
export function formatChineseDate(date: CalendarDate): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  return `${Number(match[1])}年${Number(match[2])}月${Number(match[3])}日`;
}
