import { tierForSpend, tierProgress, type TierDefinition } from './tier-progress';

const tier = (code: TierDefinition['code'], minSpendFen: number): TierDefinition => ({
  code,
  name: code,
  minSpendFen,
  pointsMultiplierPermille: 1000,
  memberPricePermille: 1000,
  benefits: [],
});
// Deliberately out of order: the rules must not depend on config order.
const tiers = [tier('gold', 1_000_000), tier('normal', 0), tier('diamond', 5_000_000), tier('silver', 200_000)];

describe('tier rules', () => {
  it.each([
    [0, 'normal'],
    [199_999, 'normal'],
    [200_000, 'silver'],
    [999_999, 'silver'],
    [1_000_000, 'gold'],
    [5_000_000, 'diamond'],
    [99_000_000, 'diamond'],
  ])('spend %i fen reaches %s', (spend, code) => expect(tierForSpend(tiers, spend).code).toBe(code));

  it.each([
    ['normal', 0, 'silver', 200_000, 0],
    ['normal', 50_000, 'silver', 150_000, 25],
    ['normal', 199_999, 'silver', 1, 99],
    ['silver', 600_000, 'gold', 400_000, 50],
    ['gold', 200_000, 'diamond', 4_800_000, 0],
  ])('%s with %i fen: next %s, %i fen to go, %i%%', (current, spend, next, remaining, percent) => {
    const progress = tierProgress(tiers, current as TierDefinition['code'], spend);
    expect(progress.next?.code).toBe(next);
    expect(progress.remainingFen).toBe(remaining);
    expect(progress.percent).toBe(percent);
  });

  it('reports the top tier as complete', () => {
    expect(tierProgress(tiers, 'diamond', 10)).toMatchObject({ next: null, remainingFen: 0, percent: 100 });
  });

  it('rejects an unknown tier', () => {
    expect(() => tierProgress([tier('normal', 0)], 'gold', 0)).toThrow(RangeError);
  });
});
