import type { RefundView } from '@member/shared';
import { ClaimService } from '../coupons/claim.service';
import { Coupon } from '../coupons/coupon.entity';
import { TemplatesService } from '../coupons/templates.service';
import { CouponRedemption } from '../coupons/coupon-redemption.entity';
import { Member } from '../members/member.entity';
import { MembershipReviewJob } from '../membership/membership-review.job';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { tillSpec } from '../testing/till-spec';
import { PurchasesService } from './purchases.service';
import { Purchase, PurchaseRefund } from './sale.entities';

const START = '2026-11-23T02:00:00Z'; // Monday 10:00 in Shanghai, not a member day

/**
 * Issue 17, member price at the till: a diamond member (8.5折, reached by a real ¥50,000 sale) pays order amount →
 * member price → coupon → points; a non-stacking coupon gives the better of the two; refunds share out every step
 * from the sale's recorded numbers, also after the membership review lowered the tier.
 */
describe.each(TEST_DATABASES)('member price at the till on %s', (kind) => {
  const till = tillSpec(kind, 'mprice', 20);
  const { key, member, buy, balanceOf } = till;
  let t: TestApp;
  let purchases: PurchasesService;
  const templates: Record<'stacking' | 'small' | 'big', number> = { stacking: 0, small: 0, big: 0 };
  const couponOf = async (memberId: number, which: keyof typeof templates) =>
    t.app.get(ClaimService).claim(memberId, templates[which], key());
  const tierOf = async (memberId: number) => (await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: memberId })).tier;

  /** A member made diamond the honest way: a ¥50,000 sale (itself at the normal price) upgrades them at once. */
  async function diamond(): Promise<number> {
    const me = member();
    const big = await buy(me, 5_000_000);
    expect(big).toMatchObject({ memberDiscountFen: 0, memberPricePermille: 1000, paidFen: 5_000_000, member: { tier: 'diamond' } });
    return me;
  }

  beforeAll(async () => {
    ({ t, purchases } = await till.start());
    t.clock.set(START);
    const create = (name: string, valueFen: number, stacks: boolean) =>
      t.app.get(TemplatesService).create(
        templateRequest(t.clock.now(), {
          name,
          totalStock: 1000,
          perMemberLimit: 5,
          terms: { ...templateRequest(t.clock.now()).terms, valueFen, stacksWithMemberDiscount: stacks },
        }),
      );
    templates.stacking = (await create('满200减20 可叠加', 2000, true)).id;
    templates.small = (await create('满200减20', 2000, false)).id;
    templates.big = (await create('满200减50', 5000, false)).id;
  });
  beforeEach(() => t.clock.set(START));
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('a diamond member: ¥300 → 会员价 −¥45 → stacking coupon −¥20 (threshold on ¥255) → 500 points → ¥230, points earned on it', async () => {
    const me = await diamond();
    const coupon = await couponOf(me, 'stacking');
    const request = { memberCode: undefined, amountFen: 30_000, storeCode: 'S001', couponCode: coupon.code, pointsToBurn: 500 };
    const quote = await purchases.quote(request, me);
    expect(quote).toMatchObject({
      tierName: '钻石会员',
      grossFen: 30_000,
      memberPricePermille: 850,
      memberDiscountFen: 4_500,
      couponDiscountFen: 2_000,
      priceBasis: 'stacked',
      memberPriceWaived: false,
      couponSetAside: false,
      pointsBurned: 500,
      payableFen: 23_000,
      maxBurnPoints: 11_750,
    });
    const balance = await balanceOf(me);
    const sale = await buy(me, 30_000, { couponCode: coupon.code, pointsToBurn: 500 });
    expect(sale).toMatchObject({
      grossFen: 30_000,
      memberDiscountFen: 4_500,
      memberPricePermille: 850,
      couponDiscountFen: 2_000,
      paidFen: 23_000,
    });
    expect(sale.pointsEarned).toBe(345); // ¥230 × 1.5 (diamond), on what was paid
    expect(await balanceOf(me)).toBe(balance - 500 + 345);
    // The coupon's redemption records the price it applied to: the member price.
    const row = await t.db.dataSource.getRepository(Purchase).findOneByOrFail({ id: sale.id });
    expect(await t.db.dataSource.getRepository(CouponRedemption).findOneByOrFail({ id: row.redemptionId! })).toMatchObject({
      orderAmountFen: 25_500,
      discountFen: 2_000,
      payableFen: 23_500,
    });
    // ¥220 is ¥187 at the member price: below a stacking 满200.
    expect(codeOf(await buy(me, 22_000, { couponCode: (await couponOf(me, 'stacking')).code }).catch((e) => e))).toBe(
      'COUPON_BELOW_THRESHOLD',
    );
  });

  it('a coupon that does not stack: the member price when it is better (the coupon kept), else the coupon on the gross', async () => {
    const me = await diamond();
    const small = await couponOf(me, 'small');
    expect(await purchases.quote({ amountFen: 30_000, storeCode: 'S001', couponCode: small.code }, me)).toMatchObject({
      memberDiscountFen: 4_500,
      couponDiscountFen: 0,
      couponName: '满200减20',
      couponSetAside: true,
      payableFen: 25_500,
    });
    const kept = await buy(me, 30_000, { couponCode: small.code });
    expect(kept).toMatchObject({ memberDiscountFen: 4_500, couponDiscountFen: 0, couponId: null, paidFen: 25_500 });
    expect((await t.db.dataSource.getRepository(Coupon).findOneByOrFail({ id: small.id })).status).toBe('available');

    const big = await couponOf(me, 'big');
    const waived = await buy(me, 30_000, { couponCode: big.code });
    expect(waived).toMatchObject({
      memberDiscountFen: 0,
      memberPricePermille: 1000,
      couponDiscountFen: 5_000,
      couponId: big.id,
      paidFen: 25_000,
    });
    expect((await t.db.dataSource.getRepository(Coupon).findOneByOrFail({ id: big.id })).status).toBe('redeemed');
  });

  it('a normal member pays the order amount (no member price), as before', async () => {
    const me = member();
    expect(await buy(me, 30_000, { couponCode: (await couponOf(me, 'stacking')).code })).toMatchObject({
      memberDiscountFen: 0,
      memberPricePermille: 1000,
      couponDiscountFen: 2_000,
      paidFen: 28_000,
    });
  });

  it('refunds share out every step in proportion, from the sale’s numbers, after the review lowered the tier', async () => {
    const me = await diamond();
    const coupon = await couponOf(me, 'stacking');
    const sale = await buy(me, 30_000, { couponCode: coupon.code, pointsToBurn: 1_003 });
    expect(sale).toMatchObject({ memberDiscountFen: 4_500, couponDiscountFen: 2_000, pointsBurned: 1_003, paidFen: 22_497 });
    const upgrade = (await t.db.dataSource.getRepository(Purchase).findBy({ memberId: me })).find((p) => p.grossFen === 5_000_000)!;

    // The ¥50,000 sale comes back in full: the spend falls below diamond; the review lowers the tier after its grace.
    await purchases.refund(upgrade.id, { amountFen: 5_000_000, refundNo: key() }, 'o-clerk');
    const review = t.app.get(MembershipReviewJob);
    await review.review(t.clock.now());
    t.clock.advance((t.config.membershipReview.tierGraceDays + 1) * 86_400);
    await review.review(t.clock.now());
    expect(await tierOf(me)).toBe('normal');

    const sizes = [10_000, 1, 12_496];
    const refunds: RefundView[] = [];
    for (const amountFen of sizes) refunds.push(await purchases.refund(sale.id, { amountFen, refundNo: key() }, 'o-clerk'));
    expect(refunds[0]).toMatchObject({
      memberDiscountShareFen: 2_000,
      couponDiscountShareFen: 889,
      pointsRestored: 445,
      grossShareFen: 13_334,
    });
    const sum = (pick: (r: (typeof refunds)[number]) => number) => refunds.reduce((total, r) => total + pick(r), 0);
    expect({
      gross: sum((r) => r.grossShareFen),
      member: sum((r) => r.memberDiscountShareFen),
      coupon: sum((r) => r.couponDiscountShareFen),
      points: sum((r) => r.pointsRestored),
      money: sum((r) => r.amountFen),
    }).toEqual({ gross: 30_000, member: 4_500, coupon: 2_000, points: 1_003, money: 22_497 });
    // The sale still reads as it was priced.
    expect(refunds[2].purchase).toMatchObject({ memberDiscountFen: 4_500, memberPricePermille: 850, refundedFen: 22_497 });
    const rows = await t.db.dataSource.getRepository(PurchaseRefund).findBy({ purchaseId: sale.id });
    expect(rows.reduce((total, r) => total + r.grossShareFen, 0)).toBe(30_000);
  });

  it('a member upgraded by another sale between purchase and refund gets back the shares of the price they paid', async () => {
    const me = member();
    const first = await buy(me, 30_000, { couponCode: (await couponOf(me, 'stacking')).code });
    expect(first).toMatchObject({ memberDiscountFen: 0, couponDiscountFen: 2_000, paidFen: 28_000 });
    await buy(me, 5_000_000);
    expect(await tierOf(me)).toBe('diamond');
    const half = await purchases.refund(first.id, { amountFen: 14_000, refundNo: key() }, 'o-clerk');
    expect(half).toMatchObject({ memberDiscountShareFen: 0, couponDiscountShareFen: 1_000, grossShareFen: 15_000 });
    const rest = await purchases.refund(first.id, { amountFen: 14_000, refundNo: key() }, 'o-clerk');
    expect(rest).toMatchObject({ memberDiscountShareFen: 0, couponDiscountShareFen: 1_000, grossShareFen: 15_000, couponRestored: true });
  });

  it('the tier is read under the member’s lock: a sale after an upgrading one has the member price, one before not', async () => {
    // Concurrent: the ¥50,000 sale that makes the member diamond and a ¥300 sale. Whichever takes the member's lock
    // second sees the first committed, so the ¥300 sale has the member price exactly when it settled after.
    for (let round = 0; round < 6; round++) {
      const me = member();
      const [upgrade, small] = await Promise.all([buy(me, 5_000_000), buy(me, 30_000)]);
      expect(upgrade.memberDiscountFen).toBe(0); // the upgrading sale itself is at the normal price
      expect(small.memberDiscountFen).toBe(small.id > upgrade.id ? 4_500 : 0);
      expect(small.paidFen).toBe(small.id > upgrade.id ? 25_500 : 30_000);
    }
  });
});
