import { describe, expect, it } from '@jest/globals';
import type { CheckoutOptions, CouponTerms, CouponView, PayRefundView } from '@member/shared';
import {
  amountLimitProblem,
  bestCouponId,
  couponToApply,
  halfOf,
  maxPointsFor,
  money,
  orderStatusText,
  paymentOutcomeOf,
  pointsProblem,
  pollUntil,
  previewCheckout,
  quoteProblem,
  readPointsInput,
  readRefundInput,
  readYuanInput,
  refundableFen,
  yuanInputText,
} from './pay';

const RULE = { minPoints: 100, maxPermilleOfOrder: 500 };

const terms = (patch: Partial<CouponTerms> = {}): CouponTerms => ({
  kind: 'cash_off',
  valueFen: 2000,
  thresholdFen: 20000,
  percentPermille: null,
  capFen: null,
  giftName: null,
  stacksWithMemberDiscount: false,
  ...patch,
});

const coupon = (id: number, patch: Partial<CouponTerms> = {}) => ({ id, name: `券${id}`, terms: terms(patch) }) as unknown as CouponView;

function options(patch: Partial<CheckoutOptions> = {}): CheckoutOptions {
  return {
    amountFen: 30000,
    storeCode: 'S001',
    storeName: '悦享旗舰店',
    coupons: [
      { coupon: coupon(7), applicable: true, reasonText: null },
      { coupon: coupon(8, { thresholdFen: 50000, valueFen: 5000 }), applicable: false, reasonText: '订单金额未达到该券的使用门槛' },
    ],
    pointsBalance: 600,
    burnRule: RULE,
    tierName: '普通会员',
    memberPricePermille: 1000,
    ...patch,
  };
}

const refund = (amountFen: number, status: PayRefundView['status']): PayRefundView => ({
  outRefundNo: `r-${amountFen}-${status}`,
  amountFen,
  status,
  createdAt: '2026-12-03T00:00:00Z',
  succeededAt: null,
  pointsClawed: 0,
  pointsRestored: 0,
  couponRestored: false,
  flagReason: null,
});

describe('amounts typed in yuan', () => {
  it('reads yuan into fen without rounding, and says what is wrong', () => {
    expect(readYuanInput('300')).toEqual({ ok: true, fen: 30000 });
    expect(readYuanInput(' 137.5 ')).toEqual({ ok: true, fen: 13750 });
    expect(readYuanInput('0.01')).toEqual({ ok: true, fen: 1 });
    expect(readYuanInput('')).toEqual({ ok: false, message: '请输入金额' });
    expect(readYuanInput('0')).toEqual({ ok: false, message: '金额需大于 ¥0' });
    for (const bad of ['1.005', 'abc', '-5', '1,000']) expect(readYuanInput(bad).ok).toBe(false);
  });

  it('writes fen back as a person would type it, and shows receipts with cents', () => {
    expect([30000, 13750, 13705, 5, 0].map(yuanInputText)).toEqual(['300', '137.50', '137.05', '0.05', '0']);
    expect(readYuanInput(yuanInputText(13705))).toEqual({ ok: true, fen: 13705 });
    expect(money(27500)).toBe('¥275.00');
    expect(money(123456)).toBe('¥1,234.56');
  });
});

describe('points the member types', () => {
  it('keeps digits only and clamps to what the order allows', () => {
    expect(readPointsInput('500', 600)).toEqual({ points: 500, text: '500', clamped: false });
    expect(readPointsInput('900', 600)).toEqual({ points: 600, text: '600', clamped: true });
    expect(readPointsInput('5a0', 600)).toEqual({ points: 50, text: '50', clamped: false });
    expect(readPointsInput('', 600)).toEqual({ points: 0, text: '', clamped: false });
    expect(readPointsInput('007', 600)).toEqual({ points: 7, text: '7', clamped: false });
    expect(readPointsInput('100', 0)).toEqual({ points: 0, text: '0', clamped: true });
  });

  it('names the burn rule that a number breaks', () => {
    expect(pointsProblem(0, 600, RULE)).toBeNull();
    expect(pointsProblem(99, 600, RULE)).toBe('单笔至少使用 100 积分');
    expect(pointsProblem(100, 600, RULE)).toBeNull();
    expect(pointsProblem(601, 600, RULE)).toBe('本单最多可用 600 积分');
  });
});

describe('the checkout preview (the shared quote the server charges)', () => {
  it('takes the coupon off the gross, then the points off what is left', () => {
    const quote = previewCheckout(options(), 7, 500);
    expect(quote).toMatchObject({ ok: true, grossFen: 30000, couponDiscountFen: 2000, pointsValueFen: 500, payableFen: 27500 });
  });

  it('ignores a coupon that is not applicable here, and caps points by the order share and the balance', () => {
    expect(previewCheckout(options(), 8, 0)).toMatchObject({ ok: true, couponDiscountFen: 0, payableFen: 30000 });
    expect(maxPointsFor(options(), 7)).toBe(600); // the balance, below half of ¥280
    expect(maxPointsFor(options({ pointsBalance: 1_000_000 }), 7)).toBe(14000); // half of ¥280
    expect(maxPointsFor(options({ pointsBalance: 99 }), null)).toBe(0); // below the minimum
    expect(quoteProblem(previewCheckout(options(), 7, 50))).toBe('积分抵扣未达到最低使用数量');
    expect(quoteProblem(previewCheckout(options(), null, 0))).toBeNull();
  });
});

describe('the cashier’s answer', () => {
  it('maps WeChat errMsg to paid, cancelled or a readable failure', () => {
    expect(paymentOutcomeOf('requestPayment:ok')).toEqual({ kind: 'paid' });
    expect(paymentOutcomeOf('requestPayment:fail cancel')).toEqual({ kind: 'cancelled' });
    expect(paymentOutcomeOf('requestPayment:fail 该订单已支付')).toEqual({ kind: 'paid' });
    expect(paymentOutcomeOf('requestPayment:fail 订单已关闭')).toEqual({ kind: 'failed', message: '支付未完成：订单已关闭' });
    expect(paymentOutcomeOf('requestPayment:fail system error')).toEqual({ kind: 'failed', message: '支付未完成，请稍后重试' });
  });
});

describe('refunds at the staff pages', () => {
  const paid = { status: 'paid' as const, payableFen: 27500, refundedFen: 0, refunds: [] as PayRefundView[] };

  it('counts processing refunds as committed and failed ones as not', () => {
    expect(refundableFen(paid)).toBe(27500);
    expect(refundableFen({ ...paid, refunds: [refund(13750, 'processing')] })).toBe(13750);
    expect(refundableFen({ ...paid, refunds: [refund(13750, 'succeeded'), refund(5000, 'failed')] })).toBe(13750);
    expect(refundableFen({ ...paid, refunds: [refund(27500, 'succeeded')] })).toBe(0);
  });

  it('halves down to the fen and checks a typed amount against what is refundable', () => {
    expect(halfOf(27500)).toBe(13750);
    expect(halfOf(27501)).toBe(13750);
    expect(readRefundInput('137.50', 27500)).toEqual({ ok: true, fen: 13750 });
    expect(readRefundInput('275.01', 27500)).toEqual({ ok: false, message: '退款金额不能超过可退金额 ¥275.00' });
    expect(readRefundInput('', 27500)).toEqual({ ok: false, message: '请输入退款金额' });
    expect(readRefundInput('1.234', 27500).ok).toBe(false);
  });

  it('names an order’s status with its refunds', () => {
    expect(orderStatusText(paid)).toBe('已支付');
    expect(orderStatusText({ ...paid, refunds: [refund(13750, 'processing')] })).toBe('退款中');
    expect(orderStatusText({ ...paid, refundedFen: 13750, refunds: [refund(13750, 'succeeded')] })).toBe('部分退款');
    expect(orderStatusText({ ...paid, refundedFen: 27500, refunds: [refund(27500, 'succeeded')] })).toBe('已全额退款');
    expect(orderStatusText({ ...paid, status: 'closed' })).toBe('已关闭');
    expect(orderStatusText({ ...paid, status: 'flagged' })).toBe('支付异常');
  });
});

describe('polling', () => {
  it('stops at the first final answer', async () => {
    let calls = 0;
    const result = await pollUntil(
      async () => ++calls,
      (n) => n >= 3,
      { intervalMs: 1, timeoutMs: 1000 },
    );
    expect(result).toEqual({ answer: 3, final: true });
    expect(calls).toBe(3);
  });

  it('gives the last answer when time runs out, retries failures, and stops when told', async () => {
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls === 1) throw new Error('offline');
      return 'pending';
    };
    const result = await pollUntil(flaky, () => false, { intervalMs: 5, timeoutMs: 30 });
    expect(result).toEqual({ answer: 'pending', final: false });
    expect(calls).toBeGreaterThan(2);

    await expect(
      pollUntil(
        async () => Promise.reject(new Error('down')),
        () => true,
        { intervalMs: 5, timeoutMs: 12 },
      ),
    ).rejects.toThrow('down');
    expect(
      await pollUntil(
        async () => 1,
        () => false,
        { intervalMs: 5, timeoutMs: 1000, stopped: () => true },
      ),
    ).toBeNull();
  });
});

describe('the coupon preselected on the pay page', () => {
  const offered = (id: number, validUntil: string, patch: Partial<CouponTerms> = {}, applicable = true) => ({
    coupon: { ...coupon(id, patch), validUntil } as CouponView,
    applicable,
    reasonText: applicable ? null : '订单金额未达到该券的使用门槛',
  });

  it('takes the largest discount, then the soonest expiry, then the older claim; none when none applies', () => {
    const ten = offered(1, '2027-01-10T00:00:00Z', { valueFen: 1000, thresholdFen: 0 });
    const twentyLate = offered(2, '2027-03-01T00:00:00Z');
    const twentySoon = offered(3, '2027-02-01T00:00:00Z');
    const twentySoonToo = offered(4, '2027-02-01T00:00:00Z');
    const fiftyNotApplicable = offered(5, '2027-01-01T00:00:00Z', { thresholdFen: 50000, valueFen: 5000 }, false);
    const coupons = [ten, twentyLate, fiftyNotApplicable, twentySoonToo, twentySoon];
    expect(bestCouponId({ amountFen: 30000, coupons })).toBe(3);
    // 9折 (cap ¥40) takes ¥30 off ¥300: more than ¥20.
    const percent = offered(6, '2027-06-01T00:00:00Z', { kind: 'percent_off', percentPermille: 900, capFen: 4000, valueFen: null });
    expect(bestCouponId({ amountFen: 30000, coupons: [...coupons, percent] })).toBe(6);
    expect(bestCouponId({ amountFen: 30000, coupons: [fiftyNotApplicable] })).toBeNull();
    expect(bestCouponId({ amountFen: 30000, coupons: [] })).toBeNull();
  });

  it('weighs the member price: a stacking coupon on the member price, a non-stacking one only when it beats it', () => {
    const diamond = { amountFen: 30000, memberPricePermille: 850 };
    const stacking = offered(1, '2027-03-01T00:00:00Z', { stacksWithMemberDiscount: true }); // ¥255 − ¥20
    const fortyAlone = offered(2, '2027-02-01T00:00:00Z', { valueFen: 4000 }); // ¥300 − ¥40 = ¥260: worse than 会员价 alone
    const sixtyAlone = offered(3, '2027-04-01T00:00:00Z', { valueFen: 6000 }); // ¥240: worse than the stacking ¥235
    const eightyAlone = offered(4, '2027-04-01T00:00:00Z', { valueFen: 8000 }); // ¥220: the best
    expect(bestCouponId({ ...diamond, coupons: [fortyAlone, stacking, sixtyAlone] })).toBe(1);
    expect(bestCouponId({ ...diamond, coupons: [fortyAlone, stacking, sixtyAlone, eightyAlone] })).toBe(4);
    // The member price beats the only coupon: nothing preselected (it would be set aside anyway).
    expect(bestCouponId({ ...diamond, coupons: [fortyAlone] })).toBeNull();
    // Without a member price the ¥40 coupon is simply the best.
    expect(bestCouponId({ amountFen: 30000, coupons: [fortyAlone, stacking] })).toBe(2);
    // A stacking threshold is on the member price: ¥220 → ¥187 is below 满200.
    expect(bestCouponId({ amountFen: 22000, memberPricePermille: 850, coupons: [stacking] })).toBeNull();
  });

  it('applies the coupon the link asked for, else keeps the member’s choice while it applies, else the best', () => {
    const small = offered(1, '2027-01-10T00:00:00Z', { valueFen: 1000, thresholdFen: 0 });
    const big = offered(2, '2027-03-01T00:00:00Z');
    const opts = { amountFen: 30000, coupons: [small, big] };
    expect(couponToApply(opts, { requested: 1, chosen: null, chosenByMember: false })).toBe(1);
    expect(couponToApply(opts, { requested: null, chosen: null, chosenByMember: false })).toBe(2);
    expect(couponToApply(opts, { requested: null, chosen: null, chosenByMember: true })).toBeNull(); // 不使用优惠券
    expect(couponToApply(opts, { requested: null, chosen: 1, chosenByMember: true })).toBe(1);
    // Asked for a coupon that is not the member's or does not apply to this amount: the best one instead.
    expect(couponToApply(opts, { requested: 99, chosen: null, chosenByMember: false })).toBe(2);
    expect(
      couponToApply(
        { amountFen: 15000, coupons: [small, { ...big, applicable: false }] },
        { requested: 2, chosen: 2, chosenByMember: true },
      ),
    ).toBe(1);
  });
});

describe('limits named in the errors', () => {
  it('names the largest order, the most points and the balance', () => {
    expect(amountLimitProblem(5_000_001, 5_000_000)).toBe('单笔最多付款 ¥50,000.00，超出请到收银台结账');
    expect(amountLimitProblem(5_000_000, 5_000_000)).toBeNull();
    const opts = options();
    expect(quoteProblem(previewCheckout(opts, null, 700), opts)).toBe('积分不足：当前可用 600 积分');
    expect(quoteProblem(previewCheckout(options({ pointsBalance: 100_000 }), null, 20_000))).toBe('本单最多可用 15000 积分');
    expect(quoteProblem(previewCheckout(opts, null, 50), opts)).toBe('单笔至少使用 100 积分');
  });
});
