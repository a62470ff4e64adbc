import type { CouponTerms } from '../coupons';
import type { Fen } from '../money';

export type CouponDiscount =
  | { applicable: true; discountFen: Fen; payableFen: Fen; giftName: string | null }
  | { applicable: false; reason: 'COUPON_BELOW_THRESHOLD'; discountFen: 0; payableFen: Fen; giftName: null };

/**
 * What a coupon takes off an order of `amountFen` (the price the coupon applies to, after any member discount
 * the caller decided may stack). The one implementation of coupon money: the server applies it, the
 * mini-program previews with it.
 *
 * Rounding: a percentage discount is rounded DOWN to the whole fen (the shop never gives away a fraction of a
 * fen), then capped; no coupon takes more than the order, so the payable amount is never below zero.
 */
export function computeCouponDiscount(terms: CouponTerms, amountFen: Fen): CouponDiscount {
  if (!Number.isSafeInteger(amountFen) || amountFen < 0) throw new RangeError(`order amount must be whole fen ≥ 0, got ${amountFen}`);
  if (amountFen < terms.thresholdFen) {
    return { applicable: false, reason: 'COUPON_BELOW_THRESHOLD', discountFen: 0, payableFen: amountFen, giftName: null };
  }
  let discount = 0;
  switch (terms.kind) {
    case 'cash_off':
    case 'no_threshold':
      discount = terms.valueFen ?? 0;
      break;
    case 'percent_off': {
      const offPermille = 1000 - (terms.percentPermille ?? 1000);
      discount = Math.floor((amountFen * offPermille) / 1000);
      if (terms.capFen !== null) discount = Math.min(discount, terms.capFen);
      break;
    }
    case 'gift':
      return { applicable: true, discountFen: 0, payableFen: amountFen, giftName: terms.giftName };
  }
  discount = Math.max(0, Math.min(discount, amountFen));
  return { applicable: true, discountFen: discount, payableFen: amountFen - discount, giftName: null };
}

/** "满200减20", "无门槛减10", "8.5折 最高减50", "满500赠丝巾": the short label on a coupon. */
export function describeCouponTerms(terms: CouponTerms): string {
  const yuan = (fen: Fen) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));
  switch (terms.kind) {
    case 'cash_off':
      return `满${yuan(terms.thresholdFen)}减${yuan(terms.valueFen ?? 0)}`;
    case 'no_threshold':
      return `无门槛减${yuan(terms.valueFen ?? 0)}`;
    case 'percent_off': {
      const permille = terms.percentPermille ?? 1000;
      const zhe = permille % 100 === 0 ? String(permille / 100) : (permille / 100).toFixed(permille % 10 === 0 ? 1 : 2);
      const threshold = terms.thresholdFen > 0 ? `满${yuan(terms.thresholdFen)}享` : '';
      return `${threshold}${zhe}折${terms.capFen !== null ? ` 最高减${yuan(terms.capFen)}` : ''}`;
    }
    case 'gift':
      return `${terms.thresholdFen > 0 ? `满${yuan(terms.thresholdFen)}` : ''}赠${terms.giftName ?? '礼品'}`;
  }
}
