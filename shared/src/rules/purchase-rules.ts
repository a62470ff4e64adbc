import type { TierCode } from '../enums';
import { PurchaseRuleChannel, PurchaseRuleStatus, type PurchaseRuleConditions, type PurchaseRuleReward } from '../purchase-rules';

/** What a settled sale is, as the rules look at it. */
export interface SaleFacts {
  paidFen: number;
  pointsEarned: number;
  /** No settled purchase of the member before this one. */
  firstPurchase: boolean;
  tier: TierCode;
  storeCode: string;
  channel: 'till' | 'wechat-pay';
  /** The sale's business-calendar day (YYYY-MM-DD, Asia/Shanghai). */
  businessDate: string;
  /** Whether that day is a member day. */
  memberDay: boolean;
}

export interface RuleForMatching {
  id: number;
  status: PurchaseRuleStatus;
  priority: number;
  exclusive: boolean;
  conditions: PurchaseRuleConditions;
}

/** Whether the sale meets every condition of the rule (the status aside). */
export function saleMeetsConditions(c: PurchaseRuleConditions, sale: SaleFacts): boolean {
  if (c.minPaidFen !== null && sale.paidFen < c.minPaidFen) return false;
  if (c.firstPurchase && !sale.firstPurchase) return false;
  if (c.tiers.length > 0 && !c.tiers.includes(sale.tier)) return false;
  if (c.stores.length > 0 && !c.stores.includes(sale.storeCode)) return false;
  // Calendar dates as YYYY-MM-DD compare as strings.
  if (c.startsOn !== null && sale.businessDate < c.startsOn) return false;
  if (c.endsOn !== null && sale.businessDate > c.endsOn) return false;
  if (c.memberDayOnly && !sale.memberDay) return false;
  if (c.channel !== PurchaseRuleChannel.Any && c.channel !== sale.channel) return false;
  return true;
}

/**
 * The active rules the sale matches, in the order they are tried: higher priority first, then the older rule
 * (lower id) first.
 */
export function matchingRules<R extends RuleForMatching>(rules: readonly R[], sale: SaleFacts): R[] {
  return rules
    .filter((r) => r.status === PurchaseRuleStatus.Active && saleMeetsConditions(r.conditions, sale))
    .sort((a, b) => b.priority - a.priority || a.id - b.id);
}

/**
 * Fires matching rules in order (`tryFire` answers whether the rule fired: false when its budget or coupon stock
 * ran out). Exclusivity: an exclusive rule is tried only if nothing fired before it, and once it fires nothing
 * after it is tried. A rule that could not fire does not count as fired, so an exclusive rule out of budget lets
 * the next rules fire. Answers the rules that fired.
 */
export async function fireInOrder<R extends Pick<RuleForMatching, 'exclusive'>>(
  ordered: readonly R[],
  tryFire: (rule: R) => Promise<boolean>,
): Promise<R[]> {
  const fired: R[] = [];
  for (const rule of ordered) {
    if (rule.exclusive && fired.length > 0) continue;
    if (!(await tryFire(rule))) continue;
    fired.push(rule);
    if (rule.exclusive) break;
  }
  return fired;
}

/** The points a rule gives a sale: its fixed points plus the multiplier's bonus on what the sale earned (rounded down). */
export function rewardPoints(reward: Pick<PurchaseRuleReward, 'points' | 'multiplierPermille'>, pointsEarned: number): number {
  const multiplier = reward.multiplierPermille ?? 1000;
  const bonus = multiplier > 1000 ? Math.floor((pointsEarned * (multiplier - 1000)) / 1000) : 0;
  return reward.points + bonus;
}

/** A rule with nothing to give is refused when saved. */
export function rewardIsEmpty(reward: PurchaseRuleReward): boolean {
  const coupons = reward.couponTemplateId !== null && reward.couponCount > 0;
  return !coupons && reward.points <= 0 && (reward.multiplierPermille ?? 1000) <= 1000;
}

/**
 * What one rule gave, as a line of 本单获得: "满300送券：100 积分、满200减20 ×2" (coupons of one name grouped).
 * A reward a full refund took back says so.
 */
export function rewardText(reward: { ruleName: string; points: number; couponNames: string[]; takenBack: boolean }): string {
  const counts = new Map<string, number>();
  for (const name of reward.couponNames) counts.set(name, (counts.get(name) ?? 0) + 1);
  const parts = [
    ...(reward.points > 0 ? [`${reward.points} 积分`] : []),
    ...[...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)),
  ];
  return `${reward.ruleName}：${parts.join('、') || '—'}${reward.takenBack ? '（已随退款收回）' : ''}`;
}
