import type { FeedbackChannel, FeedbackStatus } from '../feedback';
import type { StaffRole } from '../enums';

/** When the first response to a case raised at `createdAt` is due: the channel's minutes later (UTC instant). */
export function firstResponseDueAt(
  createdAt: Date,
  channel: FeedbackChannel,
  minutesByChannel: Readonly<Record<FeedbackChannel, number>>,
): Date {
  return new Date(createdAt.getTime() + minutesByChannel[channel] * 60_000);
}

/** Still waiting for its first response, and past the time it was due. */
export function isFeedbackOverdue(c: { status: FeedbackStatus; dueAt: Date; firstResponseAt: Date | null }, now: Date): boolean {
  return c.status === 'open' && c.firstResponseAt === null && now.getTime() > c.dueAt.getTime();
}

/** Whether a case was first answered by its due time (a case not yet answered: not yet known, null). */
export function answeredInTime(c: { dueAt: Date; firstResponseAt: Date | null }): boolean | null {
  return c.firstResponseAt === null ? null : c.firstResponseAt.getTime() <= c.dueAt.getTime();
}

export interface QueueEntry {
  id: number;
  status: FeedbackStatus;
  dueAt: Date;
  firstResponseAt: Date | null;
}

/**
 * The staff queue's order: overdue cases first (the longest overdue first), then the cases still waiting for
 * a first answer by due time, then the answered ones not yet resolved (by due time); ties by id.
 */
export function compareFeedbackQueue(a: QueueEntry, b: QueueEntry, now: Date): number {
  const band = (c: QueueEntry) => (isFeedbackOverdue(c, now) ? 0 : c.status === 'open' ? 1 : 2);
  return band(a) - band(b) || a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id;
}

/** What one role may give as goodwill on one case: points, and a coupon's face value (fen). */
export interface GoodwillLimit {
  maxPoints: number;
  maxCouponFaceFen: number;
}

export type GoodwillAsk = { kind: 'points'; points: number } | { kind: 'coupon'; faceFen: number };

/** Whether `role` may give `ask` under `limits` (a role with no limit configured may give nothing). */
export function goodwillWithinLimit(
  role: StaffRole,
  ask: GoodwillAsk,
  limits: Readonly<Partial<Record<StaffRole, GoodwillLimit>>>,
): boolean {
  const limit = limits[role];
  if (!limit) return false;
  if (ask.kind === 'points') return Number.isSafeInteger(ask.points) && ask.points > 0 && ask.points <= limit.maxPoints;
  return Number.isFinite(ask.faceFen) && ask.faceFen >= 0 && ask.faceFen <= limit.maxCouponFaceFen;
}

/**
 * A coupon's face value for the goodwill limit: the money off for cash coupons, the cap of a percentage
 * coupon (uncapped: unbounded, so never within a limit), 0 for a gift coupon (no money off).
 */
export function couponFaceFen(terms: { kind: string; valueFen: number | null; capFen: number | null }): number {
  if (terms.kind === 'cash_off' || terms.kind === 'no_threshold') return terms.valueFen ?? 0;
  if (terms.kind === 'percent_off') return terms.capFen ?? Number.POSITIVE_INFINITY;
  return 0;
}

/** A manual adjustment within the per-adjustment limit: non-zero, whole, |points| ≤ max. */
export function pointsAdjustmentWithinLimit(points: number, maxPoints: number): boolean {
  return Number.isSafeInteger(points) && points !== 0 && Math.abs(points) <= maxPoints;
}

/** The median of some numbers (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}
