import type { CouponTerms } from '../coupons';
import type { Fen } from '../money';
import { computeCouponDiscount } from './coupon-discount';

/**
 * 会员价: the tier's member price applied to an order, then the coupon. One implementation for the till, the
 * app and the screens that preview them.
 *
 * Rounding: the member DISCOUNT is rounded down to the whole fen, like a percentage coupon (the shop never gives
 * away a fraction of a fen): 8.5折 of ¥9.99 takes off floor(999 × 150 / 1000) = 149 fen, the member price is 850.
 * A permille of 1000 (or more) is no member price at all.
 *
 * Stacking (`stacksWithMemberDiscount` on the coupon's template):
 * - a coupon that stacks applies to the member price: its threshold (满200) is measured on the member price and
 *   a percentage is taken of it;
 * - a coupon that does not stack applies to the order amount (its threshold measured on the gross), and the
 *   member gets whichever is better: the coupon on the gross (the member price waived) when it leaves strictly
 *   less to pay, else the member price alone (the coupon set aside: not redeemed, the member keeps it). A gift
 *   coupon takes nothing off, so beside a member price it is set aside. With no member price (1000) nothing
 *   competes and the coupon simply applies to the gross.
 */
export function memberDiscountFen(grossFen: Fen, memberPricePermille: number): Fen {
  if (memberPricePermille >= 1000) return 0;
  return Math.floor((grossFen * (1000 - memberPricePermille)) / 1000);
}

/**
 * How the price was made: `member_price` (the member price alone, also when there is none and no coupon),
 * `stacked` (the coupon on the member price), `coupon_on_gross` (a non-stacking coupon on the order amount).
 */
export type PriceBasis = 'member_price' | 'stacked' | 'coupon_on_gross';

export interface PriceSteps {
  grossFen: Fen;
  /** The member price applied, per-mille: the tier's, or 1000 when none applies or it was waived for the coupon. */
  memberPricePermille: number;
  memberDiscountFen: Fen;
  /** Whether the coupon is used on this order (false with none, or when it was set aside). */
  couponApplied: boolean;
  couponDiscountFen: Fen;
  /** What the coupon applied to (member price or gross); 0 when no coupon applies. */
  couponBaseFen: Fen;
  giftName: string | null;
  /** Left after the member price and the coupon: what points may pay part of. */
  dueFen: Fen;
  priceBasis: PriceBasis;
  /** A non-stacking coupon was better: the member price was not applied. */
  memberPriceWaived: boolean;
  /** A non-stacking coupon was worse than (or as good as) the member price: it is not used on this order. */
  couponSetAside: boolean;
}

export type PriceResult = ({ ok: true } & PriceSteps) | { ok: false; code: 'COUPON_BELOW_THRESHOLD' };

/** Order amount → member price → coupon (see above); points come after (quoteCheckout, the till). */
export function priceOrder(input: { grossFen: Fen; memberPricePermille: number; coupon: CouponTerms | null }): PriceResult {
  const { grossFen, coupon } = input;
  const tierDiscount = memberDiscountFen(grossFen, input.memberPricePermille);
  const tierPermille = tierDiscount > 0 ? input.memberPricePermille : 1000;
  const memberPriceFen = grossFen - tierDiscount;
  const base = {
    grossFen,
    memberPricePermille: tierPermille,
    memberDiscountFen: tierDiscount,
    couponApplied: false,
    couponDiscountFen: 0,
    couponBaseFen: 0,
    giftName: null,
    dueFen: memberPriceFen,
    priceBasis: 'member_price' as PriceBasis,
    memberPriceWaived: false,
    couponSetAside: false,
  };
  if (!coupon) return { ok: true, ...base };
  if (coupon.stacksWithMemberDiscount) {
    const discount = computeCouponDiscount(coupon, memberPriceFen);
    if (!discount.applicable) return { ok: false, code: discount.reason };
    return {
      ok: true,
      ...base,
      couponApplied: true,
      couponDiscountFen: discount.discountFen,
      couponBaseFen: memberPriceFen,
      giftName: discount.giftName,
      dueFen: discount.payableFen,
      priceBasis: tierDiscount > 0 ? 'stacked' : 'coupon_on_gross',
    };
  }
  const onGross = computeCouponDiscount(coupon, grossFen);
  if (!onGross.applicable) return { ok: false, code: onGross.reason };
  if (tierDiscount > 0 && onGross.payableFen >= memberPriceFen) return { ok: true, ...base, couponSetAside: true };
  return {
    ok: true,
    ...base,
    memberPricePermille: 1000,
    memberDiscountFen: 0,
    couponApplied: true,
    couponDiscountFen: onGross.discountFen,
    couponBaseFen: grossFen,
    giftName: onGross.giftName,
    dueFen: onGross.payableFen,
    priceBasis: 'coupon_on_gross',
    memberPriceWaived: tierDiscount > 0,
  };
}

/** "8.5折", "9折", "8.85折": a per-mille price as a shop writes it. */
export function zheText(permille: number): string {
  const text = permille % 100 === 0 ? String(permille / 100) : (permille / 100).toFixed(permille % 10 === 0 ? 1 : 2);
  return `${text}折`;
}

/** The 会员价 line's label: "钻石会员 8.5折". */
export function memberPriceLabel(tierName: string, memberPricePermille: number): string {
  return `${tierName} ${zheText(memberPricePermille)}`;
}

/** What the screens say when a coupon does not stack with the member price; null when nothing competed. */
export function priceBasisNotice(steps: Pick<PriceSteps, 'memberPriceWaived' | 'couponSetAside'>): string | null {
  if (steps.memberPriceWaived) return '此券不与会员价同享，已按更优惠的方式计算：使用优惠券，本单不享会员价';
  if (steps.couponSetAside) return '此券不与会员价同享，已按更优惠的方式计算：享会员价，本单不使用此券';
  return null;
}
