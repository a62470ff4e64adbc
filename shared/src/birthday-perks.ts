/**
 * The birthday perk's contract: what one run of the birthday job did, and the test-mode endpoints that let an
 * end-to-end test move the server's clock and run the job on demand (they answer 404 outside NODE_ENV=test).
 */
import type { CalendarDate } from './calendar';
import type { BirthdayWindowKind } from './rules/birthday';

/** What one run of the birthday job did. */
export interface BirthdayPerkRunResult {
  /** The business date the run worked for. */
  runOn: CalendarDate;
  window: { kind: BirthdayWindowKind; key: string; year: number; opensOn: CalendarDate; closesOn: CalendarDate };
  /** Members who got their perk (double points, and the coupon when one is configured) in this run. */
  perksGranted: number;
  couponsIssued: number;
  /** Perks granted without the coupon: the template was out of stock or paused. */
  couponsShort: number;
  /** Member id ranges worked through by this run, and those another run had already done. */
  chunksDone: number;
  chunksSkipped: number;
}

/** POST /api/test/clock (test mode only): where the server's clock stands from now on; it keeps running from there. */
export interface TestClockRequest {
  now: string;
}
export interface TestClockResponse {
  now: string;
}
