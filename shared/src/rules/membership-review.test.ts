import { lifecycleStatus, reviewTier } from './membership-review';
import type { TierDefinition } from './tier-progress';

const tier = (code: TierDefinition['code'], minSpendFen: number): TierDefinition => ({
  code,
  name: code,
  minSpendFen,
  pointsMultiplierPermille: 1000,
  memberPricePermille: 1000,
  benefits: [],
});
const TIERS = [tier('normal', 0), tier('silver', 200_000), tier('gold', 1_000_000), tier('diamond', 5_000_000)];
const NOW = new Date('2026-11-23T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

describe('tier review', () => {
  it.each([
    // current, spend, belowSince, → tier, belowSince, downgraded
    ['gold', 1_200_000, null, 'gold', null, false], // still enough
    ['gold', 1_200_000, daysAgo(10), 'gold', null, false], // back above: the grace clock is cleared
    ['gold', 300_000, null, 'gold', NOW, false], // first seen below: the clock starts now
    ['gold', 300_000, daysAgo(29), 'gold', daysAgo(29), false], // within grace
    ['gold', 300_000, daysAgo(30), 'silver', null, true], // grace over: down to what the spend reaches
    ['diamond', 0, daysAgo(45), 'normal', null, true], // not one step: straight to the tier the spend reaches
    ['silver', 5_000_000, daysAgo(45), 'silver', null, false], // never upgrades (purchases do that)
    ['normal', 0, null, 'normal', null, false],
  ] as const)('%s with spend %i (below since %s) → %s', (current, spendFen, belowSince, tierAfter, sinceAfter, downgraded) => {
    expect(reviewTier({ tiers: TIERS, current, spendFen, belowSince, now: NOW, graceDays: 30 })).toEqual({
      tier: tierAfter,
      belowSince: sinceAfter,
      downgraded,
    });
  });
});

describe('lifecycle status', () => {
  const rule = { dormantAfterDays: 90, churnedAfterDays: 180, regularMinPurchasesPerMonth: 3, regularMonths: 3 };
  it.each([
    // joined days ago, last purchase days ago (null = never), purchases per last months, → status
    [10, null, [0, 0, 0], 'new'],
    [89, null, [0, 0, 0], 'new'],
    [90, null, [0, 0, 0], 'dormant'], // never bought: counts from joining
    [200, null, [0, 0, 0], 'churned'],
    [400, 5, [1, 0, 0], 'active'],
    [400, 5, [3, 3, 3], 'regular'],
    [400, 5, [3, 2, 3], 'active'], // one short month breaks the run
    [400, 5, [5, 4, 3, 0], 'regular'], // only the last three count
    [400, 89, [0, 0, 3], 'active'],
    [400, 90, [0, 0, 3], 'dormant'],
    [400, 179, [0, 0, 0], 'dormant'],
    [400, 180, [0, 0, 0], 'churned'],
  ] as const)('joined %i days ago, last bought %s days ago, months %j → %s', (joined, lastPurchase, months, status) => {
    expect(
      lifecycleStatus({
        joinedAt: daysAgo(joined),
        lastPurchaseAt: lastPurchase === null ? null : daysAgo(lastPurchase),
        purchasesInLastMonths: months,
        now: NOW,
        rule,
      }),
    ).toBe(status);
  });
});
