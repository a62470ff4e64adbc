import type { CouponTerms } from '../coupons';
import { memberDiscountFen, memberPriceLabel, priceBasisNotice, priceOrder, zheText } from './member-price';

const terms = (over: Partial<CouponTerms>): CouponTerms => ({
  kind: 'cash_off',
  valueFen: 2000,
  thresholdFen: 20000,
  percentPermille: null,
  capFen: null,
  giftName: null,
  stacksWithMemberDiscount: true,
  ...over,
});

describe('member price', () => {
  it('rounds the discount down to the fen; 1000 is no member price', () => {
    expect(memberDiscountFen(30_000, 850)).toBe(4_500);
    expect(memberDiscountFen(999, 850)).toBe(149); // 149.85 → 149: the member price is 850 fen
    expect(memberDiscountFen(1, 850)).toBe(0);
    expect(memberDiscountFen(30_000, 1000)).toBe(0);
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 1000, coupon: null })).toMatchObject({
      ok: true,
      memberPricePermille: 1000,
      memberDiscountFen: 0,
      dueFen: 30_000,
      priceBasis: 'member_price',
    });
  });

  it('a stacking coupon applies to the member price, its threshold measured there', () => {
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 850, coupon: terms({}) })).toEqual({
      ok: true,
      grossFen: 30_000,
      memberPricePermille: 850,
      memberDiscountFen: 4_500,
      couponApplied: true,
      couponDiscountFen: 2_000,
      couponBaseFen: 25_500,
      giftName: null,
      dueFen: 23_500,
      priceBasis: 'stacked',
      memberPriceWaived: false,
      couponSetAside: false,
    });
    // ¥220 gross is ¥187 at the member price: below 满200.
    expect(priceOrder({ grossFen: 22_000, memberPricePermille: 850, coupon: terms({}) })).toEqual({
      ok: false,
      code: 'COUPON_BELOW_THRESHOLD',
    });
    // A percentage (and its cap) is taken of the member price: 9折 of ¥255 = 25.50, capped at ¥20.
    const percent = terms({ kind: 'percent_off', valueFen: null, thresholdFen: 0, percentPermille: 900, capFen: 2_000 });
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 850, coupon: percent })).toMatchObject({
      couponDiscountFen: 2_000,
      dueFen: 23_500,
    });
    expect(priceOrder({ grossFen: 10_000, memberPricePermille: 850, coupon: percent })).toMatchObject({
      couponDiscountFen: 850,
      dueFen: 7_650,
    });
  });

  it('a coupon that does not stack: the better of the member price alone and the coupon on the gross', () => {
    const small = terms({ stacksWithMemberDiscount: false }); // 满200减20 vs 8.5折 of ¥300 (−45): the member price
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 850, coupon: small })).toMatchObject({
      ok: true,
      memberPricePermille: 850,
      memberDiscountFen: 4_500,
      couponApplied: false,
      couponDiscountFen: 0,
      dueFen: 25_500,
      priceBasis: 'member_price',
      couponSetAside: true,
      memberPriceWaived: false,
    });
    const big = terms({ stacksWithMemberDiscount: false, valueFen: 5_000 }); // 满200减50 beats −45
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 850, coupon: big })).toMatchObject({
      ok: true,
      memberPricePermille: 1000,
      memberDiscountFen: 0,
      couponApplied: true,
      couponDiscountFen: 5_000,
      couponBaseFen: 30_000,
      dueFen: 25_000,
      priceBasis: 'coupon_on_gross',
      memberPriceWaived: true,
      couponSetAside: false,
    });
    // A tie keeps the coupon for another day.
    const tie = terms({ stacksWithMemberDiscount: false, valueFen: 4_500 });
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 850, coupon: tie })).toMatchObject({ couponSetAside: true, dueFen: 25_500 });
    // Its threshold is measured on the gross: ¥220 reaches 满200 (the member price would not).
    expect(priceOrder({ grossFen: 22_000, memberPricePermille: 850, coupon: big })).toMatchObject({
      ok: true,
      memberPriceWaived: true,
      dueFen: 17_000,
    });
    expect(priceOrder({ grossFen: 19_999, memberPricePermille: 850, coupon: big })).toEqual({ ok: false, code: 'COUPON_BELOW_THRESHOLD' });
    // No member price: nothing competes, nothing is waived.
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 1000, coupon: small })).toMatchObject({
      couponApplied: true,
      couponDiscountFen: 2_000,
      priceBasis: 'coupon_on_gross',
      memberPriceWaived: false,
      couponSetAside: false,
    });
  });

  it('a gift coupon that does not stack is set aside beside a member price, kept with one that stacks', () => {
    const gift = terms({ kind: 'gift', valueFen: null, giftName: '丝巾', stacksWithMemberDiscount: false });
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 850, coupon: gift })).toMatchObject({
      couponSetAside: true,
      giftName: null,
    });
    expect(priceOrder({ grossFen: 30_000, memberPricePermille: 850, coupon: { ...gift, stacksWithMemberDiscount: true } })).toMatchObject({
      couponApplied: true,
      giftName: '丝巾',
      dueFen: 25_500,
    });
  });

  it('labels and notices in Chinese', () => {
    expect([zheText(850), zheText(900), zheText(885)]).toEqual(['8.5折', '9折', '8.85折']);
    expect(memberPriceLabel('钻石会员', 850)).toBe('钻石会员 8.5折');
    expect(priceBasisNotice({ memberPriceWaived: false, couponSetAside: false })).toBeNull();
    expect(priceBasisNotice({ memberPriceWaived: true, couponSetAside: false })).toContain('此券不与会员价同享，已按更优惠的方式计算');
    expect(priceBasisNotice({ memberPriceWaived: false, couponSetAside: true })).toContain('本单不使用此券');
  });
});
