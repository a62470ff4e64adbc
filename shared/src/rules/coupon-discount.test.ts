import type { CouponTerms } from '../coupons';
import { computeCouponDiscount, describeCouponTerms } from './coupon-discount';

const terms = (overrides: Partial<CouponTerms>): CouponTerms => ({
  kind: 'cash_off',
  valueFen: null,
  thresholdFen: 0,
  percentPermille: null,
  capFen: null,
  giftName: null,
  stacksWithMemberDiscount: false,
  ...overrides,
});
const cashOff = terms({ kind: 'cash_off', valueFen: 2000, thresholdFen: 20000 });
const noThreshold = terms({ kind: 'no_threshold', valueFen: 1000 });
const percent = terms({ kind: 'percent_off', percentPermille: 850 });
const percentCapped = terms({ kind: 'percent_off', percentPermille: 800, capFen: 5000 });
const percentThreshold = terms({ kind: 'percent_off', percentPermille: 900, thresholdFen: 10000 });
const gift = terms({ kind: 'gift', thresholdFen: 50000, giftName: '丝巾' });

describe('computeCouponDiscount', () => {
  it.each([
    ['满200减20 at exactly 200', cashOff, 20000, 2000, 18000],
    ['满200减20 above', cashOff, 30000, 2000, 28000],
    ['无门槛减10 on 25.50', noThreshold, 2550, 1000, 1550],
    ['无门槛减10 never below zero', noThreshold, 600, 600, 0],
    ['无门槛减10 on nothing', noThreshold, 0, 0, 0],
    ['8.5折 on 100', percent, 10000, 1500, 8500],
    ['8.5折 rounds the discount down to the fen', percent, 9999, 1499, 8500],
    ['8.5折 on 0.01', percent, 1, 0, 1],
    ['8折 capped at 50', percentCapped, 100000, 5000, 95000],
    ['8折 under the cap', percentCapped, 20000, 4000, 16000],
    ['满100享9折 at 100', percentThreshold, 10000, 1000, 9000],
    ['满500赠 takes no money', gift, 60000, 0, 60000],
  ])('%s', (_label, couponTerms, amount, discount, payable) => {
    const result = computeCouponDiscount(couponTerms, amount);
    expect(result).toMatchObject({ applicable: true, discountFen: discount, payableFen: payable });
    expect(result.discountFen + result.payableFen).toBe(amount);
  });

  it.each([
    ['满200减20 at 199.99', cashOff, 19999],
    ['满100享9折 at 99', percentThreshold, 9900],
    ['满500赠 at 499', gift, 49900],
  ])('%s is below the threshold', (_label, couponTerms, amount) => {
    expect(computeCouponDiscount(couponTerms, amount)).toEqual({
      applicable: false,
      reason: 'COUPON_BELOW_THRESHOLD',
      discountFen: 0,
      payableFen: amount,
      giftName: null,
    });
  });

  it('names the gift', () => {
    expect(computeCouponDiscount(gift, 50000)).toMatchObject({ applicable: true, giftName: '丝巾' });
  });

  it('rejects amounts that are not whole fen', () => {
    expect(() => computeCouponDiscount(cashOff, 100.5)).toThrow(RangeError);
    expect(() => computeCouponDiscount(cashOff, -1)).toThrow(RangeError);
  });
});

describe('describeCouponTerms', () => {
  it.each([
    [cashOff, '满200减20'],
    [noThreshold, '无门槛减10'],
    [percent, '8.5折'],
    [percentCapped, '8折 最高减50'],
    [percentThreshold, '满100享9折'],
    [gift, '满500赠丝巾'],
    [terms({ kind: 'no_threshold', valueFen: 550 }), '无门槛减5.50'],
  ])('labels %j as %s', (couponTerms, label) => expect(describeCouponTerms(couponTerms)).toBe(label));
});
