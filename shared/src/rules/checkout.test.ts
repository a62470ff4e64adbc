import { decodeStorePaymentCode, encodeStorePaymentCode } from '../payments';
import type { CouponTerms } from '../coupons';
import { quoteCheckout } from './checkout';

const rule = { minPoints: 100, maxPermilleOfOrder: 500 };
const twentyOffTwoHundred: CouponTerms = {
  kind: 'cash_off',
  valueFen: 2000,
  thresholdFen: 20000,
  percentPermille: null,
  capFen: null,
  giftName: null,
  stacksWithMemberDiscount: false,
};

describe('quoteCheckout', () => {
  it('applies the coupon, then points on what is left, and charges the rest', () => {
    const quote = quoteCheckout({
      memberPricePermille: 1000,
      amountFen: 30000,
      coupon: twentyOffTwoHundred,
      pointsToBurn: 500,
      balance: 2000,
      burnRule: rule,
    });
    expect(quote).toEqual({
      ok: true,
      grossFen: 30000,
      memberPricePermille: 1000,
      memberDiscountFen: 0,
      couponDiscountFen: 2000,
      couponApplied: true,
      priceBasis: 'coupon_on_gross',
      memberPriceWaived: false,
      couponSetAside: false,
      dueFen: 28000,
      pointsBurned: 500,
      pointsValueFen: 500,
      payableFen: 27500,
      maxBurnPoints: 2000,
    });
  });

  it('refuses a coupon below its threshold', () => {
    expect(
      quoteCheckout({
        memberPricePermille: 1000,
        amountFen: 15000,
        coupon: twentyOffTwoHundred,
        pointsToBurn: 0,
        balance: 0,
        burnRule: rule,
      }),
    ).toMatchObject({
      ok: false,
      code: 'COUPON_BELOW_THRESHOLD',
    });
  });

  it('caps points at the share of the amount due after the coupon', () => {
    const quote = quoteCheckout({
      memberPricePermille: 1000,
      amountFen: 30000,
      coupon: twentyOffTwoHundred,
      pointsToBurn: 14001,
      balance: 99999,
      burnRule: rule,
    });
    expect(quote).toEqual({ ok: false, code: 'POINTS_BURN_TOO_LARGE', maxBurnPoints: 14000 });
    expect(
      quoteCheckout({
        memberPricePermille: 1000,
        amountFen: 30000,
        coupon: twentyOffTwoHundred,
        pointsToBurn: 14000,
        balance: 99999,
        burnRule: rule,
      }),
    ).toMatchObject({ ok: true, payableFen: 14000 });
  });

  it('refuses too few points and more than the balance', () => {
    expect(
      quoteCheckout({ memberPricePermille: 1000, amountFen: 10000, coupon: null, pointsToBurn: 99, balance: 500, burnRule: rule }),
    ).toMatchObject({
      ok: false,
      code: 'POINTS_BURN_TOO_SMALL',
    });
    expect(
      quoteCheckout({ memberPricePermille: 1000, amountFen: 10000, coupon: null, pointsToBurn: 600, balance: 500, burnRule: rule }),
    ).toMatchObject({
      ok: false,
      code: 'POINTS_INSUFFICIENT',
      maxBurnPoints: 500,
    });
  });

  it('refuses an order nothing is left to pay for', () => {
    const free: CouponTerms = { ...twentyOffTwoHundred, kind: 'no_threshold', valueFen: 5000, thresholdFen: 0 };
    expect(
      quoteCheckout({ memberPricePermille: 1000, amountFen: 3000, coupon: free, pointsToBurn: 0, balance: 0, burnRule: rule }),
    ).toMatchObject({
      ok: false,
      code: 'PAY_AMOUNT_ZERO',
    });
    expect(
      quoteCheckout({
        memberPricePermille: 1000,
        amountFen: 3000,
        coupon: { ...free, valueFen: 2999 },
        pointsToBurn: 0,
        balance: 0,
        burnRule: rule,
      }),
    ).toMatchObject({ ok: true, payableFen: 1 });
  });
});

describe('quoteCheckout with a member price (钻石 8.5折)', () => {
  const diamond = { memberPricePermille: 850, burnRule: rule };
  const stacking: CouponTerms = { ...twentyOffTwoHundred, stacksWithMemberDiscount: true };

  it('order amount → member price → coupon → points → payable', () => {
    const quote = quoteCheckout({ ...diamond, amountFen: 30000, coupon: stacking, pointsToBurn: 500, balance: 2000 });
    expect(quote).toMatchObject({
      ok: true,
      grossFen: 30000,
      memberPricePermille: 850,
      memberDiscountFen: 4500,
      couponDiscountFen: 2000,
      priceBasis: 'stacked',
      dueFen: 23500,
      pointsBurned: 500,
      payableFen: 23000,
      maxBurnPoints: 2000,
    });
  });

  it('points are limited on what is left after the member price and the coupon', () => {
    expect(quoteCheckout({ ...diamond, amountFen: 30000, coupon: stacking, pointsToBurn: 11751, balance: 99999 })).toEqual({
      ok: false,
      code: 'POINTS_BURN_TOO_LARGE',
      maxBurnPoints: 11750,
    });
    expect(quoteCheckout({ ...diamond, amountFen: 30000, coupon: null, pointsToBurn: 0, balance: 99999 })).toMatchObject({
      maxBurnPoints: 12750,
    });
  });

  it('a non-stacking coupon: the better way is charged, and the quote says which', () => {
    expect(quoteCheckout({ ...diamond, amountFen: 30000, coupon: twentyOffTwoHundred, pointsToBurn: 0, balance: 0 })).toMatchObject({
      ok: true,
      couponApplied: false,
      couponSetAside: true,
      memberDiscountFen: 4500,
      payableFen: 25500,
    });
    const fifty = { ...twentyOffTwoHundred, valueFen: 5000 };
    expect(quoteCheckout({ ...diamond, amountFen: 30000, coupon: fifty, pointsToBurn: 0, balance: 0 })).toMatchObject({
      ok: true,
      couponApplied: true,
      memberPriceWaived: true,
      memberPricePermille: 1000,
      memberDiscountFen: 0,
      payableFen: 25000,
    });
  });

  it('a stacking threshold is measured on the member price; nothing left to pay is refused', () => {
    expect(quoteCheckout({ ...diamond, amountFen: 22000, coupon: stacking, pointsToBurn: 0, balance: 0 })).toMatchObject({
      ok: false,
      code: 'COUPON_BELOW_THRESHOLD',
    });
    const free: CouponTerms = { ...stacking, kind: 'no_threshold', valueFen: 850, thresholdFen: 0 };
    expect(quoteCheckout({ ...diamond, amountFen: 1000, coupon: free, pointsToBurn: 0, balance: 0 })).toMatchObject({
      ok: false,
      code: 'PAY_AMOUNT_ZERO',
    });
    expect(quoteCheckout({ ...diamond, amountFen: 1000, coupon: { ...free, valueFen: 849 }, pointsToBurn: 0, balance: 0 })).toMatchObject({
      ok: true,
      payableFen: 1,
    });
  });
});

describe('store payment code', () => {
  it('round-trips and rejects anything else', () => {
    const text = encodeStorePaymentCode({ storeCode: 'S001', amountFen: 30000 });
    expect(text).toBe('PAY1:S001:30000');
    expect(decodeStorePaymentCode(text)).toEqual({ storeCode: 'S001', amountFen: 30000 });
    for (const bad of ['PAY1:S001:0', 'PAY1:S001:-5', 'PAY1:S001:1.5', 'PAY1::100', 'PAY1:S 01:100', 'S001:100', 'PAY1:S001:9999999999']) {
      expect(decodeStorePaymentCode(bad)).toBeNull();
    }
  });
});
