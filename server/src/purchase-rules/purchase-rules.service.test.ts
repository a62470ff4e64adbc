import type { PurchaseRuleRequest } from '@member/shared';
import { ruleRequest } from '../testing/purchase-rule-fixtures';
import { TemplatesService } from '../coupons/templates.service';
import { Coupon } from '../coupons/coupon.entity';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainEvents } from '../events/domain-event-bus';
import { SaleSettled } from '../events/domain-events';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { tillSpec } from '../testing/till-spec';
import { PurchasesService } from '../orders/purchases.service';
import { PurchaseRule, PurchaseRuleGrant, PurchaseRuleGrantCoupon } from './purchase-rule.entities';
import { PurchaseRuleFiring } from './purchase-rule-firing';
import { PurchaseRuleReports } from './purchase-rule-report';
import { PurchaseRulesService } from './purchase-rules.service';
import { RewardTakeBack } from './reward-take-back';

const START = '2026-11-23T02:00:00Z'; // Monday 10:00 in Shanghai, not a member day: 1 point per ¥1

describe.each(TEST_DATABASES)('purchase rules on %s', (kind) => {
  let t: TestApp;
  let rules: PurchaseRulesService;
  let purchases: PurchasesService;
  let templateId: number;
  const till = tillSpec(kind, 'prl', 30);
  const { member, buy, balanceOf } = till;
  const grantsOf = (ruleId: number) => t.db.dataSource.getRepository(PurchaseRuleGrant).findBy({ ruleId });
  const ruleRow = (id: number) => t.db.dataSource.getRepository(PurchaseRule).findOneByOrFail({ id });
  /** Every rule from an earlier test ends, so each test sees only its own. */
  const activeRule = async (request: PurchaseRuleRequest) => {
    const created = await rules.create(request, 'o-admin');
    return rules.setStatus(created.id, 'active');
  };

  beforeAll(async () => {
    ({ t, purchases } = await till.start());
    rules = t.app.get(PurchaseRulesService);
    t.clock.set(START);
    templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '满200减20', totalStock: 1000 }))).id;
  });
  beforeEach(() => t.clock.set(START));
  afterEach(async () => {
    for (const rule of (await rules.list()).rules) if (rule.status !== 'ended') await rules.setStatus(rule.id, 'ended');
    await expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url });
  });

  it('admins draft, edit while draft, activate, pause and end a rule; edits after activation are refused', async () => {
    const draft = await rules.create(ruleRequest(), 'o-admin');
    expect(draft.status).toBe('draft');
    const edited = await rules.update(draft.id, ruleRequest({ name: '满300送100积分' }));
    expect(edited.name).toBe('满300送100积分');
    expect((await rules.setStatus(draft.id, 'active')).status).toBe('active');
    expect(codeOf(await rules.update(draft.id, ruleRequest()).catch((e) => e))).toBe('PURCHASE_RULE_NOT_DRAFT');
    expect((await rules.setStatus(draft.id, 'paused')).status).toBe('paused');
    expect(codeOf(await rules.setStatus(draft.id, 'paused').catch((e) => e))).toBe('PURCHASE_RULE_STATUS_CONFLICT');
    expect((await rules.setStatus(draft.id, 'ended')).status).toBe('ended');
    expect(codeOf(await rules.setStatus(draft.id, 'active').catch((e) => e))).toBe('PURCHASE_RULE_STATUS_CONFLICT');
    const empty = ruleRequest({ reward: { couponTemplateId: null, couponCount: 0, points: 0, multiplierPermille: 1000 } });
    expect(codeOf(await rules.create(empty, 'o-admin').catch((e) => e))).toBe('PURCHASE_RULE_EMPTY_REWARD');
  });

  it('a sale that pays the threshold gets the points and coupons, shown on the purchase; one below gets nothing', async () => {
    const rule = await activeRule(
      ruleRequest({ reward: { couponTemplateId: templateId, couponCount: 2, points: 100, multiplierPermille: null } }),
    );
    const me = member();
    const below = await buy(me, 29_999);
    expect(below.rewards).toEqual([]);
    const sale = await buy(me, 30_000);
    expect(sale.rewards).toEqual([
      { ruleId: rule.id, ruleName: '满300送券', points: 100, couponNames: ['满200减20', '满200减20'], takenBack: false },
    ]);
    expect(await balanceOf(me)).toBe(299 + 300 + 100);
    expect(sale.member.pointsBalance).toBe(699);
    const coupons = await t.db.dataSource.getRepository(Coupon).findBy({ memberId: me, templateId });
    expect(coupons).toHaveLength(2);
    expect(await purchases.get(sale.id)).toMatchObject({ rewards: sale.rewards });
    expect(await rules.get(rule.id)).toMatchObject({ grantedCount: 1, pointsGranted: 100, couponsGranted: 2 });
    expect(await ruleRow(rule.id)).toMatchObject({ grantedCount: 0 }); // no budget: no counters, no lock
  });

  if (kind === 'mariadb')
    it('a reward coupon given while its template is edited carries the edited terms (the sale’s snapshot predates the edit)', async () => {
      const DAY = 86_400_000;
      const templates = t.app.get(TemplatesService);
      // Claimable from tomorrow, so not live: an edit is allowed until the first coupon is given.
      const upcoming = (validDays: number) =>
        templateRequest(t.clock.now(), {
          name: `奖励券 ${validDays} 天`,
          claimStartsAt: new Date(t.clock.now().getTime() + DAY).toISOString(),
          validity: { type: 'relative', validDays },
        });
      const rewardTemplate = (await templates.create(upcoming(30))).id;
      await activeRule(ruleRequest({ reward: { couponTemplateId: rewardTemplate, couponCount: 1, points: 0, multiplierPermille: null } }));
      const issuer = CouponIssuer.prototype as unknown as { takeStock(...args: unknown[]): Promise<boolean> };
      const original = issuer.takeStock;
      let edited = false;
      const spy = jest.spyOn(issuer, 'takeStock').mockImplementation(async function (this: unknown, ...args: unknown[]) {
        // The edit commits on another connection after the sale's transaction has read (and fixed its snapshot).
        if (args[1] === rewardTemplate && !edited) {
          edited = true;
          await templates.update(rewardTemplate, upcoming(3));
        }
        return original.apply(this, args);
      });
      try {
        const sale = await buy(member(), 30_000);
        expect(sale.rewards[0].couponNames).toEqual(['奖励券 3 天']);
      } finally {
        spy.mockRestore();
      }
      expect(edited).toBe(true);
      const [coupon] = await t.db.dataSource.getRepository(Coupon).findBy({ templateId: rewardTemplate });
      expect(coupon.validUntil.getTime() - t.clock.now().getTime()).toBeLessThan(4 * DAY);
    });

  it('fires once per purchase: a resent till request and a replayed SaleSettled give nothing more', async () => {
    const rule = await activeRule(
      ruleRequest({ reward: { couponTemplateId: templateId, couponCount: 1, points: 50, multiplierPermille: null } }),
    );
    const me = member();
    const first = await buy(me, 40_000, { idempotencyKey: 'prl-resend-1' });
    const again = await buy(me, 40_000, { idempotencyKey: 'prl-resend-1' });
    expect(again.id).toBe(first.id);
    const replay = new SaleSettled(first.id, me, 'till', 'S001', 40_000, null, 0, 0, 40_000, 400, null, t.clock.now());
    const firing = t.app.get(PurchaseRuleFiring);
    await Promise.all([1, 2, 3].map(() => t.app.get(TransactionRunner).run((em) => firing.fire(em, replay))));
    expect(await grantsOf(rule.id)).toHaveLength(1);
    expect(await balanceOf(me)).toBe(400 + 50);
    expect(await t.db.dataSource.getRepository(Coupon).countBy({ memberId: me, templateId })).toBe(1);
    expect(await rules.get(rule.id)).toMatchObject({ grantedCount: 1, pointsGranted: 50, couponsGranted: 1 });
  });

  it('a crash after the reward, before the sale commits, leaves neither: the reward is part of the sale’s transaction', async () => {
    const rule = await activeRule(
      ruleRequest({ reward: { couponTemplateId: templateId, couponCount: 1, points: 80, multiplierPermille: null } }),
    );
    const me = member();
    const off = t.app.get(DomainEvents).inTransaction(SaleSettled, 'test.crash-after-reward', async () => {
      throw new Error('process died before COMMIT');
    });
    try {
      await expect(buy(me, 30_000)).rejects.toThrow('process died before COMMIT');
    } finally {
      off();
    }
    expect(await grantsOf(rule.id)).toHaveLength(0);
    expect(await balanceOf(me)).toBe(0);
    expect(await t.db.dataSource.getRepository(Coupon).countBy({ memberId: me, templateId })).toBe(0);
    // The till resends the sale: it settles now, and the rule fires once.
    expect((await buy(me, 30_000)).rewards).toHaveLength(1);
    expect(await grantsOf(rule.id)).toHaveLength(1);
  });

  it('priority and exclusivity: an exclusive rule first fires alone; out of budget it lets the next fire', async () => {
    const big = await activeRule(
      ruleRequest({ name: '满300独享', priority: 10, exclusive: true, budget: { maxGrants: 1, maxPoints: null, maxCoupons: null } }),
    );
    const small = await activeRule(
      ruleRequest({
        name: '满300加赠',
        priority: 1,
        reward: { couponTemplateId: null, couponCount: 0, points: 7, multiplierPermille: null },
      }),
    );
    const first = await buy(member(), 30_000);
    expect(first.rewards.map((r) => r.ruleId)).toEqual([big.id]);
    const second = await buy(member(), 30_000);
    expect(second.rewards.map((r) => r.ruleId)).toEqual([small.id]);
  });

  it('the budget caps grants and points: a rule out of budget simply does not fire', async () => {
    const rule = await activeRule(ruleRequest({ budget: { maxGrants: 5, maxPoints: 250, maxCoupons: null } }));
    const fired = [];
    for (let i = 0; i < 4; i++) fired.push((await buy(member(), 30_000)).rewards.length);
    expect(fired).toEqual([1, 1, 0, 0]);
    expect(await ruleRow(rule.id)).toMatchObject({ grantedCount: 2, pointsGranted: 200 });
  });

  it('first purchase, tier, store, channel and a double points window', async () => {
    const first = await activeRule(
      ruleRequest({ name: '首单礼', conditions: { ...ruleRequest().conditions, minPaidFen: null, firstPurchase: true } }),
    );
    const doubleWindow = await activeRule(
      ruleRequest({
        name: '双倍积分周',
        conditions: {
          ...ruleRequest().conditions,
          minPaidFen: null,
          startsOn: '2026-11-23',
          endsOn: '2026-11-29',
          stores: ['S001'],
          channel: 'till',
        },
        reward: { couponTemplateId: null, couponCount: 0, points: 0, multiplierPermille: 2000 },
      }),
    );
    const wechatOnly = await activeRule(
      ruleRequest({ name: '微信支付有礼', conditions: { ...ruleRequest().conditions, minPaidFen: null, channel: 'wechat-pay' } }),
    );
    const me = member();
    const one = await buy(me, 12_800);
    expect(one.rewards.map((r) => [r.ruleId, r.points])).toEqual([
      [first.id, 100],
      [doubleWindow.id, 128],
    ]);
    const two = await buy(me, 5_000, { storeCode: 'S002' });
    expect(two.rewards).toEqual([]);
    t.clock.set('2026-11-29T15:59:59Z'); // 23:59:59 of the last day in Shanghai
    expect((await buy(me, 1_000)).rewards.map((r) => r.ruleId)).toEqual([doubleWindow.id]);
    t.clock.set('2026-11-29T16:00:00Z');
    expect((await buy(me, 1_000)).rewards).toEqual([]);
    expect(await grantsOf(wechatOnly.id)).toHaveLength(0);
  });

  it('a full refund takes the reward back: points clawed, unused coupon voided, a used one a loss; once', async () => {
    const rule = await activeRule(
      ruleRequest({ reward: { couponTemplateId: templateId, couponCount: 2, points: 100, multiplierPermille: null } }),
    );
    const me = member();
    const sale = await buy(me, 30_000);
    const [grant] = await grantsOf(rule.id);
    const links = await t.db.dataSource.getRepository(PurchaseRuleGrantCoupon).findBy({ grantId: grant.id });
    const [used] = await t.db.dataSource.getRepository(Coupon).findBy({ id: links[0].couponId });
    // The member uses one reward coupon on a later sale (below the rule's threshold after the discount).
    const later = await buy(me, 25_000, { couponCode: used.code });
    expect(later.couponDiscountFen).toBe(2000);
    await purchases.refund(sale.id, { amountFen: 10_000, refundNo: 'prl-r1' }, 'o-clerk');
    expect((await grantsOf(rule.id))[0].takenBackAt).toBeNull(); // partial: the reward stays
    await purchases.refund(sale.id, { amountFen: 20_000, refundNo: 'prl-r2' }, 'o-clerk');
    const [taken] = await grantsOf(rule.id);
    expect(taken).toMatchObject({ pointsClawed: 100, pointsShortfall: 0, couponsVoided: 1, lossFen: 2000 });
    expect(taken.takenBackAt).not.toBeNull();
    const other = await t.db.dataSource.getRepository(Coupon).findOneByOrFail({ id: links[1].couponId });
    expect(other.status).toBe('expired');
    expect((await purchases.get(sale.id)).rewards[0].takenBack).toBe(true);
    // The refund event replayed: nothing moves twice.
    const before = await balanceOf(me);
    await t.app.get(TransactionRunner).run((em) => t.app.get(RewardTakeBack).takeBackWithin(em, sale.id, t.clock.now()));
    expect(await balanceOf(me)).toBe(before);
    expect((await grantsOf(rule.id))[0]).toMatchObject({ pointsClawed: 100, couponsVoided: 1, lossFen: 2000 });
    const report = await t.app.get(PurchaseRuleReports).report(rule.id);
    const afterReport = async () => {
      // The later sale that used the reward coupon is refunded in full too: the coupon comes back, and since its
      // reward was taken back it is voided at once; it is no longer a loss.
      await purchases.refund(later.id, { amountFen: later.paidFen, refundNo: 'prl-r3' }, 'o-clerk');
      expect((await t.db.dataSource.getRepository(Coupon).findOneByOrFail({ id: used.id })).status).toBe('expired');
      expect((await grantsOf(rule.id))[0]).toMatchObject({ couponsVoided: 2, lossFen: 0 });
    };
    expect(report).toMatchObject({
      grants: 1,
      takenBack: 1,
      pointsGranted: 100,
      pointsClawed: 100,
      couponsGranted: 2,
      couponsUsed: 1,
      couponsVoided: 1,
      lossFen: 2000,
      couponDiscountFen: 0,
      costFen: 2000,
      rewardedMembers: 1,
      triggeringPaidFen: 30_000,
      laterPurchases: 1,
      laterPaidFen: 23_000,
    });
    await afterReport();
  });

  it('a member who spent the reward points: clawed back as far as the balance goes, the rest a shortfall', async () => {
    const rule = await activeRule(
      ruleRequest({ reward: { couponTemplateId: null, couponCount: 0, points: 1000, multiplierPermille: null } }),
    );
    const me = member();
    const sale = await buy(me, 30_000); // 300 earned + 1000 reward
    await buy(me, 20_000, { pointsToBurn: 1000 });
    const balance = await balanceOf(me);
    await purchases.refund(sale.id, { amountFen: 30_000, refundNo: 'prl-short' }, 'o-clerk');
    const [grant] = await grantsOf(rule.id);
    expect(grant.pointsClawed + grant.pointsShortfall).toBe(1000);
    expect(await balanceOf(me)).toBe(0);
    expect(balance).toBeLessThan(1300);
  });
});
