/**
 * The claim centre's order, as a shopper scans it: what they can take now (newest first), then what they
 * already hold (去使用), then what is not for them, each with its reason. Pure, so jest checks it in node.
 */
import type { ClaimCentreEntry } from '@member/shared';

export type ClaimGroup = 'claimable' | 'claimed' | 'blocked';

export interface ArrangedEntry {
  entry: ClaimCentreEntry;
  group: ClaimGroup;
  /** The held coupon 去使用 opens the pay page with (claimed only). */
  couponId: number | null;
}

/** Whether the caller is not a member yet: the server blocks every entry for that one reason. */
export function needsToJoin(entries: readonly ClaimCentreEntry[]): boolean {
  return entries.some((entry) => entry.blockedBy === 'MEMBER_NOT_JOINED');
}

/**
 * `usable`: the member's usable coupons (template → the one to use first, the wallet's order: soonest to expire).
 * Newest is the highest template id (ids grow as templates are made).
 */
export function arrangeClaimCentre(entries: readonly ClaimCentreEntry[], usable: ReadonlyMap<number, number>): ArrangedEntry[] {
  const rank: Record<ClaimGroup, number> = { claimable: 0, claimed: 1, blocked: 2 };
  return entries
    .map((entry): ArrangedEntry => {
      const held = usable.get(entry.template.id) ?? null;
      if (entry.canClaim) return { entry, group: 'claimable', couponId: held };
      if (held !== null) return { entry, group: 'claimed', couponId: held };
      return { entry, group: 'blocked', couponId: null };
    })
    .sort((a, b) => rank[a.group] - rank[b.group] || b.entry.template.id - a.entry.template.id);
}

/** Template id → the usable coupon to open first, from the wallet's usable tab (already soonest-to-expire first). */
export function usableByTemplate(coupons: ReadonlyArray<{ id: number; templateId: number }>): Map<number, number> {
  const map = new Map<number, number>();
  for (const coupon of coupons) if (!map.has(coupon.templateId)) map.set(coupon.templateId, coupon.id);
  return map;
}
