import type { CouponTerms } from '../coupons';
import type { Fen } from '../money';
import { priceOrder, type PriceBasis } from './member-price';
import { decideBurn, maxBurnablePoints, type BurnRule } from './points';

export type CheckoutQuote =
  | {
      ok: true;
      grossFen: Fen;
      /** The member price applied (per-mille; 1000 when the tier has none or it was waived for the coupon). */
      memberPricePermille: number;
      /** 会员价: what the member price takes off the order amount. */
      memberDiscountFen: Fen;
      couponDiscountFen: Fen;
      /** Whether the chosen coupon is used (false when it was set aside for the better member price). */
      couponApplied: boolean;
      priceBasis: PriceBasis;
      /** A non-stacking coupon beat the member price: the member price was not applied. */
      memberPriceWaived: boolean;
      /** A non-stacking coupon did not beat the member price: it is not used (nor redeemed). */
      couponSetAside: boolean;
      /** Due after the member price and the coupon: what points may pay part of. */
      dueFen: Fen;
      pointsBurned: number;
      pointsValueFen: Fen;
      /** What WeChat Pay charges. */
      payableFen: Fen;
      /** The most points this order allows for this balance (0 below the minimum). */
      maxBurnPoints: number;
    }
  | {
      ok: false;
      code: 'COUPON_BELOW_THRESHOLD' | 'POINTS_BURN_TOO_SMALL' | 'POINTS_BURN_TOO_LARGE' | 'POINTS_INSUFFICIENT' | 'PAY_AMOUNT_ZERO';
      maxBurnPoints: number;
    };

/**
 * The one computation of what a member pays in the app: the order amount, the tier's member price
 * (priceOrder: rounding and stacking rules there), the coupon, then points on what is left (limits from config),
 * then WeChat Pay for the rest. The server charges exactly this; the mini-program shows it before paying.
 * WeChat Pay cannot charge 0, so an order the discounts and points would cover entirely is refused here (it
 * belongs at the till).
 */
export function quoteCheckout(input: {
  amountFen: Fen;
  /** The member's tier's member price, per-mille (1000 = none). */
  memberPricePermille: number;
  coupon: CouponTerms | null;
  pointsToBurn: number;
  balance: number;
  burnRule: BurnRule;
}): CheckoutQuote {
  const { amountFen, coupon, pointsToBurn, balance, burnRule } = input;
  const price = priceOrder({ grossFen: amountFen, memberPricePermille: input.memberPricePermille, coupon });
  if (!price.ok) {
    const memberPrice = priceOrder({ grossFen: amountFen, memberPricePermille: input.memberPricePermille, coupon: null });
    return {
      ok: false,
      code: price.code,
      maxBurnPoints: maxBurnablePoints(memberPrice.ok ? memberPrice.dueFen : amountFen, balance, burnRule),
    };
  }
  const dueFen = price.dueFen;
  const maxBurnPoints = maxBurnablePoints(dueFen, balance, burnRule);
  const burn = decideBurn(pointsToBurn, dueFen, balance, burnRule);
  if (!burn.ok) return { ok: false, code: burn.code, maxBurnPoints };
  const payableFen = dueFen - burn.valueFen;
  if (payableFen <= 0) return { ok: false, code: 'PAY_AMOUNT_ZERO', maxBurnPoints };
  return {
    ok: true,
    grossFen: amountFen,
    memberPricePermille: price.memberPricePermille,
    memberDiscountFen: price.memberDiscountFen,
    couponDiscountFen: price.couponDiscountFen,
    couponApplied: price.couponApplied,
    priceBasis: price.priceBasis,
    memberPriceWaived: price.memberPriceWaived,
    couponSetAside: price.couponSetAside,
    dueFen,
    pointsBurned: burn.points,
    pointsValueFen: burn.valueFen,
    payableFen,
    maxBurnPoints,
  };
}
