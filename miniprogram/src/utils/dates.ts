import { formatCalendarDate, parseCalendarDate, type CalendarDate } from '@member/shared';

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

/**
 * The business calendar (coupon validity, claim windows) is Asia/Shanghai: UTC+8 all year, no daylight saving.
 * Instants from the server are shown on that calendar whatever zone the device is in, so a coupon valid
 * "until 2026-12-31 23:59:59" reads the same for every member and clerk.
 */
export const BUSINESS_UTC_OFFSET_MINUTES = 8 * 60;
const OFFSET_MS = BUSINESS_UTC_OFFSET_MINUTES * 60_000;

const pad = (n: number) => String(n).padStart(2, '0');

interface BusinessParts {
  date: CalendarDate;
  /** "HH:mm" */
  time: string;
}

function businessParts(instant: string | Date): BusinessParts | null {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) return null;
  const shifted = new Date(ms + OFFSET_MS);
  return {
    date: formatCalendarDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate()),
    time: `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`,
  };
}

/** ISO instant → "2026-12-31" on the business calendar. */
export function businessDate(instant: string | Date): string {
  return businessParts(instant)?.date ?? String(instant);
}

/** ISO instant → "2026-12-31 23:59" on the business calendar. */
export function businessDateTime(instant: string | Date): string {
  const parts = businessParts(instant);
  return parts ? `${parts.date} ${parts.time}` : String(instant);
}

/** "YYYY-MM-DD" + "HH:mm[:ss]" on the business calendar → ISO instant (UTC); null when either is malformed. */
export function businessInstant(date: string, time = '00:00'): string | null {
  const day = parseCalendarDate(date.trim());
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time.trim());
  if (!day || !clock) return null;
  const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  return new Date(Date.UTC(day.year, day.month - 1, day.day, hours, minutes, seconds) - OFFSET_MS).toISOString();
}
