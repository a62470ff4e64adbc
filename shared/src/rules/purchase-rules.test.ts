import type { PurchaseRuleConditions } from '../purchase-rules';
import {
  fireInOrder,
  matchingRules,
  rewardIsEmpty,
  rewardPoints,
  rewardText,
  saleMeetsConditions,
  type RuleForMatching,
  type SaleFacts,
} from './purchase-rules';

const any: PurchaseRuleConditions = {
  minPaidFen: null,
  firstPurchase: false,
  tiers: [],
  stores: [],
  startsOn: null,
  endsOn: null,
  memberDayOnly: false,
  channel: 'any',
};
const sale: SaleFacts = {
  paidFen: 30_000,
  pointsEarned: 300,
  firstPurchase: false,
  tier: 'silver',
  storeCode: 'S001',
  channel: 'till',
  businessDate: '2026-12-08',
  memberDay: true,
};
const rule = (id: number, over: Partial<RuleForMatching> = {}, conditions: Partial<PurchaseRuleConditions> = {}): RuleForMatching => ({
  id,
  status: 'active',
  priority: 0,
  exclusive: false,
  ...over,
  conditions: { ...any, ...conditions },
});

describe('a sale meets a rule’s conditions', () => {
  it.each<[string, Partial<PurchaseRuleConditions>, boolean]>([
    ['no condition', {}, true],
    ['threshold reached exactly (实付)', { minPaidFen: 30_000 }, true],
    ['threshold missed by a fen', { minPaidFen: 30_001 }, false],
    ['first purchase only, not the first', { firstPurchase: true }, false],
    ['tier listed', { tiers: ['silver', 'gold'] }, true],
    ['tier not listed', { tiers: ['gold'] }, false],
    ['store listed', { stores: ['S001'] }, true],
    ['store not listed', { stores: ['S002'] }, false],
    ['first day of the range', { startsOn: '2026-12-08' }, true],
    ['last day of the range', { endsOn: '2026-12-08' }, true],
    ['before the range', { startsOn: '2026-12-09' }, false],
    ['after the range', { endsOn: '2026-12-07' }, false],
    ['member day only, on a member day', { memberDayOnly: true }, true],
    ['till only', { channel: 'till' }, true],
    ['WeChat Pay only', { channel: 'wechat-pay' }, false],
  ])('%s', (_, conditions, expected) => {
    expect(saleMeetsConditions({ ...any, ...conditions }, sale)).toBe(expected);
  });

  it('first purchase and member day when the sale is one', () => {
    expect(saleMeetsConditions({ ...any, firstPurchase: true }, { ...sale, firstPurchase: true })).toBe(true);
    expect(saleMeetsConditions({ ...any, memberDayOnly: true }, { ...sale, memberDay: false })).toBe(false);
  });
});

describe('which rules are tried, in which order', () => {
  it('only active matching rules, higher priority first, then the older rule', () => {
    const rules = [
      rule(1, { priority: 1 }),
      rule(2, { priority: 5 }),
      rule(3, { priority: 5 }),
      rule(4, { priority: 9, status: 'paused' }),
      rule(5, { priority: 9 }, { minPaidFen: 50_000 }),
      rule(6, { status: 'draft' }),
      rule(7, { status: 'ended' }),
    ];
    expect(matchingRules(rules, sale).map((r) => r.id)).toEqual([2, 3, 1]);
  });
});

describe('exclusivity', () => {
  const run = (rules: RuleForMatching[], outOfBudget: number[] = []) =>
    fireInOrder(rules, async (r) => !outOfBudget.includes(r.id)).then((fired) => fired.map((r) => r.id));

  it('non-exclusive rules all fire', async () => {
    expect(await run([rule(1), rule(2), rule(3)])).toEqual([1, 2, 3]);
  });

  it('an exclusive rule first fires alone and stops the rest', async () => {
    expect(await run([rule(1, { exclusive: true }), rule(2), rule(3, { exclusive: true })])).toEqual([1]);
  });

  it('an exclusive rule after one that fired is skipped; the rules after it still fire', async () => {
    expect(await run([rule(1), rule(2, { exclusive: true }), rule(3)])).toEqual([1, 3]);
  });

  it('an exclusive rule out of budget does not count as fired: the next rules fire', async () => {
    expect(await run([rule(1, { exclusive: true }), rule(2, { exclusive: true }), rule(3)], [1])).toEqual([2]);
    expect(await run([rule(1, { exclusive: true }), rule(2), rule(3)], [1, 2])).toEqual([3]);
  });
});

describe('reward points', () => {
  it.each([
    [{ points: 0, multiplierPermille: 2000 }, 300, 300], // double: +1× what the sale earned
    [{ points: 0, multiplierPermille: 3000 }, 300, 600], // triple
    [{ points: 50, multiplierPermille: 1500 }, 301, 200], // 50 + floor(150.5)
    [{ points: 100, multiplierPermille: null }, 300, 100],
    [{ points: 0, multiplierPermille: 1000 }, 300, 0],
    [{ points: 0, multiplierPermille: 2000 }, 0, 0],
  ])('%o on %i earned gives %i', (reward, earned, expected) => {
    expect(rewardPoints(reward, earned)).toBe(expected);
  });

  it('a reward with nothing in it is empty', () => {
    expect(rewardIsEmpty({ couponTemplateId: null, couponCount: 0, points: 0, multiplierPermille: 1000 })).toBe(true);
    expect(rewardIsEmpty({ couponTemplateId: 3, couponCount: 0, points: 0, multiplierPermille: null })).toBe(true);
    expect(rewardIsEmpty({ couponTemplateId: 3, couponCount: 1, points: 0, multiplierPermille: null })).toBe(false);
    expect(rewardIsEmpty({ couponTemplateId: null, couponCount: 0, points: 0, multiplierPermille: 2000 })).toBe(false);
  });
});

describe('reward text (本单获得)', () => {
  it('points and grouped coupons; a taken-back reward says so', () => {
    expect(rewardText({ ruleName: '满300送券', points: 100, couponNames: ['满200减20', '满200减20', '饮品券'], takenBack: false })).toBe(
      '满300送券：100 积分、满200减20 ×2、饮品券',
    );
    expect(rewardText({ ruleName: '首单礼', points: 50, couponNames: [], takenBack: true })).toBe('首单礼：50 积分（已随退款收回）');
  });
});
