/**
 * The periodic membership review: tier downgrades after a grace period, and the lifecycle status. Pure, so the
 * rules are tested by table; the server's job only gathers the inputs and writes the answers.
 */
import type { LifecycleStatus, TierCode } from '../enums';
import { sortTiers, tierForSpend, type TierDefinition } from './tier-progress';

const DAY_MS = 86_400_000;

export interface TierReviewInput {
  tiers: readonly TierDefinition[];
  current: TierCode;
  /** Spend over the rolling window now. */
  spendFen: number;
  /** Since when the spend has been below the current tier (null = it was not, at the last review). */
  belowSince: Date | null;
  now: Date;
  graceDays: number;
}

export interface TierReviewOutcome {
  tier: TierCode;
  belowSince: Date | null;
  downgraded: boolean;
}

/**
 * Upgrades happen at the purchase; the review only ever lowers a tier, and only after the spend has stayed
 * below it for `graceDays` (first seen below → the clock starts; back above → the clock is cleared). The
 * member then lands on the tier the spend reaches, not one step down.
 */
export function reviewTier({ tiers, current, spendFen, belowSince, now, graceDays }: TierReviewInput): TierReviewOutcome {
  const reached = tierForSpend(tiers, spendFen);
  const currentTier = sortTiers(tiers).find((t) => t.code === current);
  if (!currentTier || reached.minSpendFen >= currentTier.minSpendFen) return { tier: current, belowSince: null, downgraded: false };
  const since = belowSince ?? now;
  if (now.getTime() - since.getTime() >= graceDays * DAY_MS) return { tier: reached.code, belowSince: null, downgraded: true };
  return { tier: current, belowSince: since, downgraded: false };
}

export interface LifecycleRule {
  dormantAfterDays: number;
  churnedAfterDays: number;
  /** 常客: at least this many purchases in each of the last `regularMonths` complete months. */
  regularMinPurchasesPerMonth: number;
  regularMonths: number;
}

export interface LifecycleInput {
  joinedAt: Date;
  lastPurchaseAt: Date | null;
  /** Purchases in each of the last complete calendar months, most recent first (at least `regularMonths` long). */
  purchasesInLastMonths: readonly number[];
  now: Date;
  rule: LifecycleRule;
}

/**
 * new (joined, never bought) → active (bought within the dormant window) → regular (≥ N purchases in each of
 * the last M complete months) → dormant (nothing bought for `dormantAfterDays`) → churned (`churnedAfterDays`).
 * A member who never bought counts from the day they joined.
 */
export function lifecycleStatus({ joinedAt, lastPurchaseAt, purchasesInLastMonths, now, rule }: LifecycleInput): LifecycleStatus {
  const since = lastPurchaseAt ?? joinedAt;
  const idleDays = (now.getTime() - since.getTime()) / DAY_MS;
  if (idleDays >= rule.churnedAfterDays) return 'churned';
  if (idleDays >= rule.dormantAfterDays) return 'dormant';
  if (!lastPurchaseAt) return 'new';
  const months = purchasesInLastMonths.slice(0, rule.regularMonths);
  if (months.length === rule.regularMonths && months.every((count) => count >= rule.regularMinPurchasesPerMonth)) return 'regular';
  return 'active';
}
