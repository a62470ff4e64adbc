import { DomainError } from '../common/domain-error';
import { ClaimService } from '../coupons/claim.service';
import { TemplatesService } from '../coupons/templates.service';
import { WalletService } from '../coupons/wallet.service';
import { issueMemberCode } from '../members/member-code';
import { Member } from '../members/member.entity';
import { insertJoinedMembers, templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { startTestApp, type TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { PointsShopService } from './points-shop.service';
import { PurchasesService } from '../orders/purchases.service';

const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);
let keySeq = 0;
const key = () => `shop-key-${++keySeq}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(TEST_DATABASES)('the points shop on %s', (kind) => {
  let t: TestApp;
  let shop: PointsShopService;
  let members: number[];
  let next = 0;

  /** A member holding `points` points, earned by a real purchase. */
  async function memberWith(points: number): Promise<number> {
    const id = members[next++];
    const memberCode = issueMemberCode({ secret: t.config.security.memberCodeSecret, ...t.config.memberCode }, id, t.clock.now()).code;
    await t.app.get(PurchasesService).record({ memberCode, amountFen: points * 100, storeCode: 'S001', idempotencyKey: key() }, 'o-clerk');
    return id;
  }
  const balanceOf = async (id: number) => (await t.db.dataSource.getRepository(Member).findOneByOrFail({ id })).pointsBalance;
  const shopTemplate = (pointsPrice: number, overrides = {}) =>
    t.app
      .get(TemplatesService)
      .create(templateRequest(t.clock.now(), { name: '积分兑换券', pointsPrice, perMemberLimit: 10, ...overrides }));

  beforeAll(async () => {
    t = await startTestApp(kind);
    shop = t.app.get(PointsShopService);
    members = await insertJoinedMembers(t.db.dataSource, 20, `shop-${kind}`, new Date('2026-11-01T00:00:00Z'));
  });
  afterAll(() => t?.close());
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  beforeEach(() => t.clock.set('2026-11-23T02:00:00Z'));
  afterEach(async () => {
    const broken = await t.db.dataSource.query(
      'SELECT m.id FROM member m WHERE m.points_balance < 0' +
        ' OR m.points_balance <> (SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l WHERE l.member_id = m.id)' +
        ' OR m.points_balance <> (SELECT COALESCE(SUM(p.remaining), 0) FROM points_lot p WHERE p.member_id = m.id)',
    );
    expect(broken).toEqual([]);
  });

  it('sells a coupon for points: the coupon is in the wallet, the points are gone, a retried tap charges once', async () => {
    const me = await memberWith(1000);
    const template = await shopTemplate(300);
    const entries = await shop.entries(me);
    expect(entries.find((e) => e.template.id === template.id)).toMatchObject({ pointsPrice: 300, canClaim: true });
    const k = key();
    const coupon = await shop.exchange(me, template.id, k);
    expect(await shop.exchange(me, template.id, k)).toMatchObject({ id: coupon.id });
    expect(await balanceOf(me)).toBe(700);
    expect((await t.app.get(WalletService).wallet(me, 'usable')).coupons.map((c) => c.id)).toContain(coupon.id);
    const lines = await t.db.dataSource.query(
      "SELECT delta, source_key AS sourceKey FROM points_ledger WHERE member_id = ? AND reason = 'exchange'",
      [me],
    );
    expect(lines.map((l: { delta: number; sourceKey: string }) => [Number(l.delta), l.sourceKey])).toEqual([
      [-300, `exchange:coupon:${coupon.id}`],
    ]);
  });

  it('is not a free coupon: hidden from the claim centre and refused there; without enough points nothing moves', async () => {
    const poor = await memberWith(200);
    const template = await shopTemplate(300);
    expect((await t.app.get(ClaimService).claimCentre(poor)).map((e) => e.template.id)).not.toContain(template.id);
    expect(
      codeOf(
        await t.app
          .get(ClaimService)
          .claim(poor, template.id, key())
          .catch((e) => e),
      ),
    ).toBe('COUPON_POINTS_ONLY');
    expect((await shop.entries(poor)).find((e) => e.template.id === template.id)).toMatchObject({
      canClaim: false,
      blockedBy: 'POINTS_INSUFFICIENT',
      blockedText: '积分不足，还差 100',
    });
    expect(codeOf(await shop.exchange(poor, template.id, key()).catch((e) => e))).toBe('POINTS_INSUFFICIENT');
    expect(await balanceOf(poor)).toBe(200);
    expect((await t.app.get(TemplatesService).get(template.id)).claimedCount).toBe(0); // the stock came back with the rollback
    expect((await t.app.get(WalletService).wallet(poor, 'usable')).coupons).toEqual([]);
  });

  it('under concurrent taps sells only what the points pay for: 6 × 300 against 1000 → 3 coupons', async () => {
    const me = await memberWith(1000);
    const template = await shopTemplate(300);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => shop.exchange(me, template.id, key())));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason))).toEqual([
      'POINTS_INSUFFICIENT',
      'POINTS_INSUFFICIENT',
      'POINTS_INSUFFICIENT',
    ]);
    expect(await balanceOf(me)).toBe(100);
    expect((await t.app.get(TemplatesService).get(template.id)).claimedCount).toBe(3);
  });
});
