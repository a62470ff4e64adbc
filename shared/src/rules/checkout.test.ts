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
    const quote = quoteCheckout({ amountFen: 30000, coupon: twentyOffTwoHundred, pointsToBurn: 500, balance: 2000, burnRule: rule });
    expect(quote).toEqual({
      ok: true,
      grossFen: 30000,
      couponDiscountFen: 2000,
      dueFen: 28000,
      pointsBurned: 500,
      pointsValueFen: 500,
      payableFen: 27500,
      maxBurnPoints: 2000,
    });
  });

  it('refuses a coupon below its threshold', () => {
    expect(quoteCheckout({ amountFen: 15000, coupon: twentyOffTwoHundred, pointsToBurn: 0, balance: 0, burnRule: rule })).toMatchObject({
      ok: false,
      code: 'COUPON_BELOW_THRESHOLD',
    });
  });

  it('caps points at the share of the amount due after the coupon', () => {
    const quote = quoteCheckout({ amountFen: 30000, coupon: twentyOffTwoHundred, pointsToBurn: 14001, balance: 99999, burnRule: rule });
    expect(quote).toEqual({ ok: false, code: 'POINTS_BURN_TOO_LARGE', maxBurnPoints: 14000 });
    expect(
      quoteCheckout({ amountFen: 30000, coupon: twentyOffTwoHundred, pointsToBurn: 14000, balance: 99999, burnRule: rule }),
    ).toMatchObject({ ok: true, payableFen: 14000 });
  });

  it('refuses too few points and more than the balance', () => {
    expect(quoteCheckout({ amountFen: 10000, coupon: null, pointsToBurn: 99, balance: 500, burnRule: rule })).toMatchObject({
      ok: false,
      code: 'POINTS_BURN_TOO_SMALL',
    });
    expect(quoteCheckout({ amountFen: 10000, coupon: null, pointsToBurn: 600, balance: 500, burnRule: rule })).toMatchObject({
      ok: false,
      code: 'POINTS_INSUFFICIENT',
      maxBurnPoints: 500,
    });
  });

  it('refuses an order nothing is left to pay for', () => {
    const free: CouponTerms = { ...twentyOffTwoHundred, kind: 'no_threshold', valueFen: 5000, thresholdFen: 0 };
    expect(quoteCheckout({ amountFen: 3000, coupon: free, pointsToBurn: 0, balance: 0, burnRule: rule })).toMatchObject({
      ok: false,
      code: 'PAY_AMOUNT_ZERO',
    });
    expect(
      quoteCheckout({ amountFen: 3000, coupon: { ...free, valueFen: 2999 }, pointsToBurn: 0, balance: 0, burnRule: rule }),
    ).toMatchObject({ ok: true, payableFen: 1 });
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
