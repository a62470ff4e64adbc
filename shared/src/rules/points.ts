/**
 * Points arithmetic, shared by the server and the mini-program. Everything is integer: money in fen,
 * multipliers in per-mille. Rounding is always DOWN (floor) and always in the member's favour where it
 * matters, as documented per function, so the same inputs give the same points on every machine.
 */
import type { Fen } from '../money';

/** 100 points = ¥1 (product rule): one point is worth one fen. */
export const FEN_PER_POINT = 1;

export interface EarnInput {
  /** What the member actually paid, after coupon and points (points are not earned on points). */
  paidFen: Fen;
  /** The tier's multiplier (1000 = ×1.0, 1200 = ×1.2). */
  multiplierPermille: number;
  /** Double-points days and the birthday window (2000 = ×2); 1000 when none applies. */
  bonusPermille: number;
}

/**
 * ¥1 paid = 1 point × tier multiplier × bonus, rounded down to a whole point: ¥199.99 at ×1.0 earns 199;
 * ¥100 at ×1.2 earns 120; ¥0.99 earns 0. The product is computed exactly in integers (≤ 3·10^14 < 2^53).
 */
export function pointsEarned({ paidFen, multiplierPermille, bonusPermille }: EarnInput): number {
  if (paidFen <= 0) return 0;
  return Math.floor((paidFen * multiplierPermille * bonusPermille) / (100 * 1000 * 1000));
}

/**
 * The bonus for a purchase: ×2 on a member day or in the member's birthday window. They do not multiply
 * together (a birthday on a member day is still ×2): the larger one applies.
 */
export function bonusPermille(input: { memberDay: boolean; birthdayWindow: boolean; doublePermille: number }): number {
  return input.memberDay || input.birthdayWindow ? input.doublePermille : 1000;
}

export interface BurnRule {
  /** Fewest points one purchase may burn (0 = any). */
  minPoints: number;
  /** Most of the amount due (after the coupon) points may pay, in per-mille (500 = half). */
  maxPermilleOfOrder: number;
}

export type BurnDecision =
  | { ok: true; points: number; valueFen: Fen }
  | { ok: false; code: 'POINTS_BURN_TOO_SMALL' | 'POINTS_BURN_TOO_LARGE' | 'POINTS_INSUFFICIENT' };

/** Whether `points` may pay part of `dueFen`: at least the minimum, at most the share of the order, at most the balance. */
export function decideBurn(points: number, dueFen: Fen, balance: number, rule: BurnRule): BurnDecision {
  if (points === 0) return { ok: true, points: 0, valueFen: 0 };
  if (points < rule.minPoints) return { ok: false, code: 'POINTS_BURN_TOO_SMALL' };
  if (points * FEN_PER_POINT > Math.floor((dueFen * rule.maxPermilleOfOrder) / 1000)) return { ok: false, code: 'POINTS_BURN_TOO_LARGE' };
  if (points > balance) return { ok: false, code: 'POINTS_INSUFFICIENT' };
  return { ok: true, points, valueFen: points * FEN_PER_POINT };
}

/** The most points that may pay `dueFen` for a member holding `balance` (0 when below the minimum). */
export function maxBurnablePoints(dueFen: Fen, balance: number, rule: BurnRule): number {
  const most = Math.min(balance, Math.floor(Math.floor((dueFen * rule.maxPermilleOfOrder) / 1000) / FEN_PER_POINT));
  return most >= rule.minPoints ? most : 0;
}

export interface RefundShares {
  /** Points earned by the purchase to take back with this refund. */
  clawbackPoints: number;
  /** Points the purchase burned to give back with this refund. */
  restorePoints: number;
  /** Whether this refund completes a full refund (the coupon comes back then, if still valid). */
  full: boolean;
  /** This refund's share of the sale's member discount (会员价), coupon discount, and of its order amount. */
  memberDiscountShareFen: Fen;
  couponDiscountShareFen: Fen;
  /** refundFen + the discount shares + the burned points' share (restorePoints, at FEN_PER_POINT). */
  grossShareFen: Fen;
}

/**
 * What a refund of `refundFen` does to points, given what was already refunded. Shares are cumulative:
 * after refunds totalling R of the paid P, floor(earned·R/P) points have been taken back and floor(burned·R/P)
 * given back, so partial refunds add up exactly to a full one whatever their sizes, and rounding (down) leaves
 * the odd point with the member. Refusing more than was paid is the caller's job (checkRefund).
 *
 * Every other step of the price is returned in proportion the same way: floor(memberDiscount·R/P) and
 * floor(couponDiscount·R/P) cumulatively, and the refund's share of the order amount is what makes its own
 * numbers add up (gross share = refund + member share + coupon share + points share), so the shares of all the
 * refunds of a sale sum exactly to the sale's gross, member discount, coupon discount and burned points once it
 * is refunded in full. The inputs are the sale's RECORDED numbers, never the member's tier today.
 */
export function refundShares(input: {
  paidFen: Fen;
  earnedPoints: number;
  burnedPoints: number;
  refundedBeforeFen: Fen;
  refundFen: Fen;
  /** The sale's recorded member discount and coupon discount (0 when left out). */
  memberDiscountFen?: Fen;
  couponDiscountFen?: Fen;
}): RefundShares {
  const { paidFen, earnedPoints, burnedPoints, refundedBeforeFen, refundFen } = input;
  const after = refundedBeforeFen + refundFen;
  const share = (total: number, refunded: Fen) =>
    paidFen > 0 ? Math.floor((total * refunded) / paidFen) : refunded >= paidFen ? total : 0;
  const part = (total: number) => share(total, after) - share(total, refundedBeforeFen);
  const restorePoints = part(burnedPoints);
  const memberDiscountShareFen = part(input.memberDiscountFen ?? 0);
  const couponDiscountShareFen = part(input.couponDiscountFen ?? 0);
  return {
    clawbackPoints: part(earnedPoints),
    restorePoints,
    full: after >= paidFen,
    memberDiscountShareFen,
    couponDiscountShareFen,
    grossShareFen: refundFen + memberDiscountShareFen + couponDiscountShareFen + restorePoints * FEN_PER_POINT,
  };
}

/** A refund must be positive and, with earlier refunds, at most what was paid. */
export function checkRefund(paidFen: Fen, refundedBeforeFen: Fen, refundFen: Fen): 'REFUND_AMOUNT_INVALID' | 'REFUND_EXCEEDS_PAID' | null {
  if (!Number.isInteger(refundFen) || refundFen <= 0) return 'REFUND_AMOUNT_INVALID';
  if (refundedBeforeFen + refundFen > paidFen) return 'REFUND_EXCEEDS_PAID';
  return null;
}

/**
 * Points earned in a calendar year expire at the end of the next year (product default): the last second of
 * 31 December of year+1, business calendar. `offsetMinutes` is the business zone's UTC offset (Asia/Shanghai
 * has no DST), so this stays a pure function.
 */
export function pointsExpiryFor(earnedAt: Date, offsetMinutes: number, yearsAfter = 1): Date {
  const local = new Date(earnedAt.getTime() + offsetMinutes * 60_000);
  const year = local.getUTCFullYear() + yearsAfter;
  return new Date(Date.UTC(year + 1, 0, 1) - offsetMinutes * 60_000 - 1000);
}
