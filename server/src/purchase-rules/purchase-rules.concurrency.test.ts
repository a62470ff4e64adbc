import { TemplatesService } from '../coupons/templates.service';
import { Coupon } from '../coupons/coupon.entity';
import { insertJoinedMembers, templateRequest } from '../testing/coupon-fixtures';
import { expectInvariants } from '../testing/invariants';
import { settleSale } from '../testing/sales';
import { startTestApp, type TestApp } from '../testing/test-app';
import { PurchaseRule, PurchaseRuleGrant } from './purchase-rule.entities';
import { PurchaseRulesService } from './purchase-rules.service';
import { ruleRequest } from '../testing/purchase-rule-fixtures';

// Only MariaDB runs transactions side by side: sql.js queues them, so there is no race to lose there.
const onMariadb = (process.env.TEST_DATABASES ?? 'mariadb,sqlite').includes('mariadb') ? describe : describe.skip;

/**
 * Many sales settling at once, all matching rules whose budget (and coupon stock) covers only some of them: the
 * conditional UPDATEs must let exactly the budget through, never one more, and the rest of the sales still settle.
 */
onMariadb('purchase rule budgets under concurrent settlements on mariadb', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('mariadb');
    t.clock.set('2026-11-23T02:00:00Z');
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('60 parallel sales, a budget of 17 grants and a template of 20 coupons at 2 a grant: 17 grants, then 10 grants of stock', async () => {
    const members = await insertJoinedMembers(t.db.dataSource, 60, 'prl-race', new Date('2026-01-05T00:00:00Z'));
    const rules = t.app.get(PurchaseRulesService);
    const points = await rules.create(
      ruleRequest({ name: '限量积分', budget: { maxGrants: 17, maxPoints: null, maxCoupons: null } }),
      'o-admin',
    );
    const templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 20, perMemberLimit: 1 }))).id;
    const coupons = await rules.create(
      ruleRequest({ name: '限量赠券', reward: { couponTemplateId: templateId, couponCount: 2, points: 0, multiplierPermille: null } }),
      'o-admin',
    );
    await rules.setStatus(points.id, 'active');
    await rules.setStatus(coupons.id, 'active');

    const settled = await Promise.allSettled(
      members.map((memberId, i) => settleSale(t, { memberId, idempotencyKey: `prl-race-${i}`, paidFen: 30_000 })),
    );
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const grants = t.db.dataSource.getRepository(PurchaseRuleGrant);
    expect(await grants.countBy({ ruleId: points.id })).toBe(17);
    expect(await grants.countBy({ ruleId: coupons.id })).toBe(10);
    expect(await t.db.dataSource.getRepository(PurchaseRule).findOneByOrFail({ id: points.id })).toMatchObject({
      grantedCount: 17,
      pointsGranted: 1700,
    });
    expect(await t.db.dataSource.getRepository(Coupon).countBy({ templateId })).toBe(20);
  });
});
