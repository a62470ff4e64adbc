import type { TierCode } from '../enums';
import type { Fen } from '../money';

export interface TierDefinition {
  code: TierCode;
  name: string;
  /** Spend over the rolling window (fen) needed to reach this tier. */
  minSpendFen: Fen;
  /** Points multiplier in per-mille (1000 = ×1.0, 1200 = ×1.2): integers keep points arithmetic exact. */
  pointsMultiplierPermille: number;
  /** Member discount in per-mille of the price paid (850 = 8.5折); 1000 = none. */
  memberPricePermille: number;
  benefits: string[];
}

export interface TierProgress {
  current: TierDefinition;
  next: TierDefinition | null;
  /** Fen still to spend to reach `next` (0 when already enough, or at the top tier). */
  remainingFen: Fen;
  /** Whole percent of the way from the current tier's threshold to the next (100 at the top). */
  percent: number;
}

/** Tiers sorted by threshold, lowest first; the lowest must start at 0 (config validation guarantees it). */
export function sortTiers(tiers: readonly TierDefinition[]): TierDefinition[] {
  return [...tiers].sort((a, b) => a.minSpendFen - b.minSpendFen);
}

/** The highest tier whose threshold the spend reaches. */
export function tierForSpend(tiers: readonly TierDefinition[], spendFen: Fen): TierDefinition {
  const sorted = sortTiers(tiers);
  let reached = sorted[0];
  for (const tier of sorted) if (spendFen >= tier.minSpendFen) reached = tier;
  return reached;
}

/**
 * Progress from the member's current tier (which can sit above what the spend alone gives, during a
 * downgrade grace period) to the tier above it.
 */
export function tierProgress(tiers: readonly TierDefinition[], currentCode: TierCode, spendFen: Fen): TierProgress {
  const sorted = sortTiers(tiers);
  const index = sorted.findIndex((tier) => tier.code === currentCode);
  if (index < 0) throw new RangeError(`unknown tier ${currentCode}`);
  const current = sorted[index];
  const next = sorted[index + 1] ?? null;
  if (!next) return { current, next: null, remainingFen: 0, percent: 100 };
  const band = next.minSpendFen - current.minSpendFen;
  const done = Math.min(Math.max(spendFen - current.minSpendFen, 0), band);
  return {
    current,
    next,
    remainingFen: Math.max(next.minSpendFen - spendFen, 0),
    percent: band > 0 ? Math.floor((done * 100) / band) : 100,
  };
}
