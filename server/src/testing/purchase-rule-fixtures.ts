import type { PurchaseRuleRequest } from '@member/shared';

/** A rule request: 满300 (paid) → 100 points, no budget, taken back on a full refund; override what the test is about. */
export function ruleRequest(over: Partial<PurchaseRuleRequest> = {}): PurchaseRuleRequest {
  return {
    name: '满300送券',
    priority: 0,
    exclusive: false,
    conditions: {
      minPaidFen: 30_000,
      firstPurchase: false,
      tiers: [],
      stores: [],
      startsOn: null,
      endsOn: null,
      memberDayOnly: false,
      channel: 'any',
    },
    reward: { couponTemplateId: null, couponCount: 0, points: 100, multiplierPermille: null },
    budget: { maxGrants: null, maxPoints: null, maxCoupons: null },
    takeBackOnRefund: true,
    ...over,
  };
}
