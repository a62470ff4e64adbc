import { PayOrderStatus } from '@member/shared';
import { ClaimService } from '../../coupons/claim.service';
import { TemplatesService } from '../../coupons/templates.service';
import { templateRequest } from '../../testing/coupon-fixtures';
import { TEST_DATABASES } from '../../testing/databases';
import { expectInvariants } from '../../testing/invariants';
import { paySpec } from '../../testing/pay-spec';
import { waitFor } from '../../testing/spec';
import type { TestApp } from '../../testing/test-app';
import { Purchase, PurchaseRefund } from '../sale.entities';
import type { PayServices } from './pay.testing';

/**
 * Issue 17, member price in the app: a diamond member's order is priced with the tier read when it is created,
 * and records it; WeChat Pay's notification settles it with the order's numbers even if the tier changed since;
 * WeChat Pay refunds share out every step like the till's.
 */
describe.each(TEST_DATABASES)('member price with WeChat Pay on %s', (kind) => {
  const pay = paySpec(kind, 'mprice');
  const { key, emulatorPost, newMember, couponStatus, orderOf, paidOrder, checkout } = pay;
  let t: TestApp;
  let payments: PayServices;
  let stackingTemplate = 0;
  const setTier = (memberId: number, tier: string) => t.db.dataSource.query('UPDATE member SET tier = ? WHERE id = ?', [tier, memberId]);
  /** A diamond member (the tier set as a sale or the review would) with points and a coupon of each kind. */
  async function diamondMember() {
    const me = await newMember(2000, true);
    await setTier(me.id, 'diamond');
    const stacking = await t.app.get(ClaimService).claim(me.id, stackingTemplate, key());
    return { ...me, stackingId: stacking.id };
  }

  beforeAll(async () => {
    ({ t, payments } = await pay.start());
    const base = templateRequest(t.clock.now(), { totalStock: 1000 });
    stackingTemplate = (
      await t.app
        .get(TemplatesService)
        .create({ ...base, name: '满200减20 可叠加', terms: { ...base.terms, stacksWithMemberDiscount: true } })
    ).id;
  });
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('checkout names the tier’s member price and measures a stacking threshold on it', async () => {
    const me = await diamondMember();
    const options = await payments.checkout(me.id, 22_000, 'S001');
    expect(options).toMatchObject({ tierName: '钻石会员', memberPricePermille: 850 });
    // ¥220 is ¥187 at the member price: the stacking 满200 does not apply; the non-stacking one (on the gross) does.
    const byId = new Map(options.coupons.map((c) => [c.coupon.id, c]));
    expect(byId.get(me.stackingId)).toMatchObject({ applicable: false, reasonText: expect.any(String) });
    expect(byId.get(me.couponId!)).toMatchObject({ applicable: true });
  });

  it('charges 订单金额 → 会员价 → coupon → points; settles with the order’s numbers after the tier dropped; refunds share it', async () => {
    const me = await diamondMember();
    const created = await checkout(me.id, { amountFen: 30_000, couponId: me.stackingId, pointsToBurn: 500 });
    expect(created.order).toMatchObject({
      grossFen: 30_000,
      memberDiscountFen: 4_500,
      memberPricePermille: 850,
      couponDiscountFen: 2_000,
      pointsBurned: 500,
      payableFen: 23_000,
    });
    // The membership review lowers the tier while the member is in WeChat's cashier: the order keeps its price.
    await setTier(me.id, 'normal');
    const later = await paidOrder(me, { amountFen: 30_000 }); // an order created now is at the normal price
    expect(later.order).toMatchObject({ memberDiscountFen: 0, memberPricePermille: 1000, payableFen: 30_000 });
    await pay.requestPayment(me.user, created.payment!);
    await waitFor('the payment notification', async () => (await orderOf(created.order.outTradeNo)).status === PayOrderStatus.Paid);
    const order = await orderOf(created.order.outTradeNo);
    const purchase = await t.db.dataSource.getRepository(Purchase).findOneByOrFail({ id: order.purchaseId! });
    expect(purchase).toMatchObject({
      grossFen: 30_000,
      memberDiscountFen: 4_500,
      memberPricePermille: 850,
      couponDiscountFen: 2_000,
      paidFen: 23_000,
    });
    expect(purchase.pointsEarned).toBe(230); // on what was paid, at the tier the member has when it settles

    // Refunds through WeChat Pay: shares of each step from the sale's recorded numbers.
    await emulatorPost('/dev/pay/settings', { refundSpacingMs: 0 });
    try {
      const no = order.outTradeNo;
      for (const [i, amountFen] of [10_000, 1, 12_999].entries()) {
        await payments.refund(no, { amountFen, outRefundNo: `R-${no}-${i}` }, 'o-clerk');
        await waitFor('the refund notification', async () => (await orderOf(no)).refundedFen === [10_000, 10_001, 23_000][i]);
      }
      const refunds = await t.db.dataSource
        .getRepository(PurchaseRefund)
        .find({ where: { purchaseId: purchase.id }, order: { id: 'ASC' } });
      expect(refunds[0]).toMatchObject({
        amountFen: 10_000,
        memberDiscountShareFen: 1_956,
        couponDiscountShareFen: 869,
        pointsRestored: 217,
      });
      const sum = (pick: (r: PurchaseRefund) => number) => refunds.reduce((total, r) => total + pick(r), 0);
      expect([
        sum((r) => r.grossShareFen),
        sum((r) => r.memberDiscountShareFen),
        sum((r) => r.couponDiscountShareFen),
        sum((r) => r.pointsRestored),
      ]).toEqual([30_000, 4_500, 2_000, 500]);
      expect(await couponStatus(me.stackingId)).toBe('available');
    } finally {
      await emulatorPost('/dev/pay/settings', { refundSpacingMs: 60_000 });
    }
  });

  it('a coupon that does not stack: set aside (kept) when the member price is better', async () => {
    const me = await diamondMember();
    const created = await checkout(me.id, { amountFen: 30_000, couponId: me.couponId });
    expect(created.order).toMatchObject({ memberDiscountFen: 4_500, couponId: null, couponDiscountFen: 0, payableFen: 25_500 });
    expect(await couponStatus(me.couponId!)).toBe('available');
    await payments.cancel(me.id, created.order.outTradeNo);
  });
});
