import { describe, expect, it } from '@jest/globals';
import { buildRuleRequest, emptyRuleForm, ruleFormOf } from './purchase-rules';

describe('the rule form', () => {
  it('builds the request the server takes: yuan to fen, lists, empty = unlimited', () => {
    const built = buildRuleRequest({
      ...emptyRuleForm(),
      name: ' 满300送券 ',
      minPaidYuan: '300',
      stores: 'S001， S002',
      startsOn: '2026-12-01',
      couponTemplateId: 7,
      couponCount: '2',
      multiplier: '2000',
      maxGrants: '500',
      priority: '-3',
    });
    expect(built).toEqual({
      ok: true,
      request: expect.objectContaining({
        name: '满300送券',
        priority: -3,
        conditions: expect.objectContaining({ minPaidFen: 30_000, stores: ['S001', 'S002'], startsOn: '2026-12-01', endsOn: null }),
        reward: { couponTemplateId: 7, couponCount: 2, points: 0, multiplierPermille: 2000 },
        budget: { maxGrants: 500, maxPoints: null, maxCoupons: null },
      }),
    });
  });

  it('says what is wrong', () => {
    expect(buildRuleRequest(emptyRuleForm())).toEqual({ ok: false, error: '请填写规则名称' });
    expect(buildRuleRequest({ ...emptyRuleForm(), name: 'x', startsOn: '12/01' })).toEqual({
      ok: false,
      error: '开始日期格式为 2026-12-01',
    });
    expect(buildRuleRequest({ ...emptyRuleForm(), name: 'x', maxGrants: '1.5' })).toEqual({
      ok: false,
      error: '最多发放次数须为不小于 1 的整数',
    });
  });

  it('round-trips a saved rule', () => {
    const built = buildRuleRequest({ ...emptyRuleForm(), name: '首单礼', firstPurchase: true, points: '50' });
    if (!built.ok) throw new Error(built.error);
    const view = {
      ...built.request,
      id: 1,
      status: 'draft' as const,
      couponTemplateName: null,
      grantedCount: 0,
      pointsGranted: 0,
      couponsGranted: 0,
      createdAt: '',
    };
    expect(buildRuleRequest(ruleFormOf(view))).toEqual(built);
  });
});
