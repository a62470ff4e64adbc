import type { CouponTerms } from '../coupons';
import type { Fen } from '../money';
import { computeCouponDiscount } from './coupon-discount';
import { decideBurn, maxBurnablePoints, type BurnRule } from './points';

export type CheckoutQuote =
  | {
      ok: true;
      grossFen: Fen;
      couponDiscountFen: Fen;
      /** Due after the coupon: what points may pay part of. */
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
 * The one computation of what a member pays in the app: the coupon first (on the gross amount), then points
 * on what is left (limits from config), then WeChat Pay for the rest. The server charges exactly this; the
 * mini-program shows it before paying. WeChat Pay cannot charge 0, so an order the coupon and points would
 * cover entirely is refused here (it belongs at the till).
 */
export function quoteCheckout(input: {
  amountFen: Fen;
  coupon: CouponTerms | null;
  pointsToBurn: number;
  balance: number;
  burnRule: BurnRule;
}): CheckoutQuote {
  const { amountFen, coupon, pointsToBurn, balance, burnRule } = input;
  let couponDiscountFen = 0;
  if (coupon) {
    const discount = computeCouponDiscount(coupon, amountFen);
    if (!discount.applicable) return { ok: false, code: discount.reason, maxBurnPoints: maxBurnablePoints(amountFen, balance, burnRule) };
    couponDiscountFen = discount.discountFen;
  }
  const dueFen = amountFen - couponDiscountFen;
  const maxBurnPoints = maxBurnablePoints(dueFen, balance, burnRule);
  const burn = decideBurn(pointsToBurn, dueFen, balance, burnRule);
  if (!burn.ok) return { ok: false, code: burn.code, maxBurnPoints };
  const payableFen = dueFen - burn.valueFen;
  if (payableFen <= 0) return { ok: false, code: 'PAY_AMOUNT_ZERO', maxBurnPoints };
  return {
    ok: true,
    grossFen: amountFen,
    couponDiscountFen,
    dueFen,
    pointsBurned: burn.points,
    pointsValueFen: burn.valueFen,
    payableFen,
    maxBurnPoints,
  };
}
