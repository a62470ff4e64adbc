/**
 * Paying in the app and refunding it, as the pages read and write it: amounts typed in yuan, points typed by
 * the member, refund amounts typed by the clerk, WeChat's cashier answers and the statuses in zh-CN. The money
 * rules themselves (what the member pays) are quoteCheckout in @member/shared, the same function the server uses.
 */
import {
  checkRefund,
  errorMessage,
  formatFen,
  parseYuanToFen,
  PayRefundStatus,
  priceOrder,
  quoteCheckout,
  type CheckoutOptions,
  type CheckoutQuote,
  type Fen,
  type PayOrderStatus,
  type PayOrderView,
  type PayRefundView,
} from '@member/shared';

/** Money on the pay pages always shows its cents, as a receipt does: 27500 → "¥275.00". */
export function money(fen: Fen): string {
  return formatFen(fen, { keepCents: true });
}

/** Fen → what a person would type in a yuan field: 30000 → "300", 13750 → "137.50", 5 → "0.05". */
export function yuanInputText(fen: Fen): string {
  const yuan = Math.floor(fen / 100);
  const cents = fen % 100;
  return cents === 0 ? String(yuan) : `${yuan}.${String(cents).padStart(2, '0')}`;
}

export type AmountReading = { ok: true; fen: Fen } | { ok: false; message: string };

/** The amount the member (or clerk) typed in yuan: "300", "299.9", "0.01"; never rounds. */
export function readYuanInput(text: string, what = '金额'): AmountReading {
  if (!text.trim()) return { ok: false, message: `请输入${what}` };
  const fen = parseYuanToFen(text);
  if (fen === null) return { ok: false, message: `请输入正确的${what}，如 300 或 299.90` };
  if (fen <= 0) return { ok: false, message: `${what}需大于 ¥0` };
  return { ok: true, fen };
}

/**
 * The points the member typed, as a whole number no larger than this order allows: digits only (anything else
 * is dropped as they type), empty = 0, more than `maxPoints` = `maxPoints` (`clamped` tells the page to say so).
 */
export function readPointsInput(text: string, maxPoints: number): { points: number; text: string; clamped: boolean } {
  const digits = text
    .replace(/\D/g, '')
    .replace(/^0+(?=\d)/, '')
    .slice(0, 9);
  if (!digits) return { points: 0, text: '', clamped: false };
  const typed = Number(digits);
  if (typed > maxPoints) return { points: maxPoints, text: String(maxPoints), clamped: true };
  return { points: typed, text: digits, clamped: false };
}

/** What the points would pay, checked against the burn rule before the server sees it; null when fine. */
export function pointsProblem(points: number, maxPoints: number, rule: CheckoutOptions['burnRule']): string | null {
  if (points === 0) return null;
  if (points < rule.minPoints) return `单笔至少使用 ${rule.minPoints} 积分`;
  if (points > maxPoints) return `本单最多可用 ${maxPoints} 积分`;
  return null;
}

/** The terms of the chosen coupon, if it is one of the applicable ones offered. */
function chosenTerms(options: CheckoutOptions, couponId: number | null) {
  if (couponId === null) return null;
  const entry = options.coupons.find((c) => c.coupon.id === couponId && c.applicable);
  return entry ? entry.coupon.terms : null;
}

/** The preview of this checkout: exactly what the server will charge for the same choices. */
export function previewCheckout(options: CheckoutOptions, couponId: number | null, pointsToBurn: number): CheckoutQuote {
  return quoteCheckout({
    amountFen: options.amountFen,
    memberPricePermille: options.memberPricePermille,
    coupon: chosenTerms(options, couponId),
    pointsToBurn,
    balance: options.pointsBalance,
    burnRule: options.burnRule,
  });
}

/** The most points this order takes with this coupon (0 when the balance is below the minimum). */
export function maxPointsFor(options: CheckoutOptions, couponId: number | null): number {
  return previewCheckout(options, couponId, 0).maxBurnPoints;
}

/**
 * A quote that cannot be paid, as the member reads it. A limit names itself (the most points, the balance), so
 * the member knows what to change; other codes read as the server's message for the same code.
 */
export function quoteProblem(quote: CheckoutQuote, options?: Pick<CheckoutOptions, 'pointsBalance' | 'burnRule'>): string | null {
  if (quote.ok) return null;
  if (options && quote.code === 'POINTS_INSUFFICIENT') return `积分不足：当前可用 ${options.pointsBalance} 积分`;
  if (quote.code === 'POINTS_BURN_TOO_LARGE') return `本单最多可用 ${quote.maxBurnPoints} 积分`;
  if (options && quote.code === 'POINTS_BURN_TOO_SMALL') return `单笔至少使用 ${options.burnRule.minPoints} 积分`;
  return errorMessage(quote.code);
}

/** The amount over the largest one order may charge, named (the member types a smaller one or pays at the till). */
export function amountLimitProblem(amountFen: Fen, maxOrderFen: Fen): string | null {
  return amountFen > maxOrderFen ? `单笔最多付款 ${money(maxOrderFen)}，超出请到收银台结账` : null;
}

type OfferedCoupon = CheckoutOptions['coupons'][number];

/** What the preselect needs: the amount, the coupons offered, and the member's member price (1000 when left out). */
type PreselectOptions = Pick<CheckoutOptions, 'amountFen' | 'coupons'> & { memberPricePermille?: number };

/**
 * The coupon to preselect: of the applicable ones that this order would actually use, the one leaving least to
 * pay after the member price (a stacking coupon is taken off the member price; a non-stacking one competes with
 * it, and one the member price beats is never preselected: the member would keep it anyway), then the one
 * expiring soonest (use it before it is lost), then the older claim (lower id). Null when none helps.
 */
export function bestCouponId(options: PreselectOptions): number | null {
  let best: { entry: OfferedCoupon; discount: Fen } | null = null;
  for (const entry of options.coupons) {
    if (!entry.applicable) continue;
    const price = priceOrder({
      grossFen: options.amountFen,
      memberPricePermille: options.memberPricePermille ?? 1000,
      coupon: entry.coupon.terms,
    });
    if (!price.ok || !price.couponApplied) continue;
    // Ranked by what is left to pay: the larger the saving on the order amount, the better.
    const discount = options.amountFen - price.dueFen;
    if (!best || isBetter({ entry, discount }, best)) best = { entry, discount };
  }
  return best ? best.entry.coupon.id : null;
}

function isBetter(a: { entry: OfferedCoupon; discount: Fen }, b: { entry: OfferedCoupon; discount: Fen }): boolean {
  if (a.discount !== b.discount) return a.discount > b.discount;
  const untilA = Date.parse(a.entry.coupon.validUntil);
  const untilB = Date.parse(b.entry.coupon.validUntil);
  if (untilA !== untilB) return untilA < untilB;
  return a.entry.coupon.id < b.entry.coupon.id;
}

/**
 * Which coupon is applied once the options for an amount arrive: the one the link asked for (去使用) when it
 * applies; else the member's own choice (none included) while it still applies; else the best one.
 */
export function couponToApply(
  options: PreselectOptions,
  choice: { requested: number | null; chosen: number | null; chosenByMember: boolean },
): number | null {
  const applies = (id: number | null) => id !== null && options.coupons.some((c) => c.coupon.id === id && c.applicable);
  if (applies(choice.requested)) return choice.requested;
  if (choice.chosenByMember && (choice.chosen === null || applies(choice.chosen))) return choice.chosen;
  return bestCouponId(options);
}

export type PaymentOutcomeResult = { kind: 'paid' } | { kind: 'cancelled' } | { kind: 'failed'; message: string };

/**
 * WeChat's `requestPayment` errMsg → what happened: "requestPayment:ok" paid, "requestPayment:fail cancel" the
 * member closed the cashier, anything else a failure with WeChat's detail when it is readable. An order WeChat
 * says is already paid counts as paid: the result page asks the server, which has the final word.
 */
export function paymentOutcomeOf(errMsg: string): PaymentOutcomeResult {
  if (/:ok\b/i.test(errMsg)) return { kind: 'paid' };
  const detail = errMsg.replace(/^requestPayment:fail\s*/i, '').trim();
  if (/cancel/i.test(detail)) return { kind: 'cancelled' };
  if (/已支付|ORDERPAID/i.test(detail)) return { kind: 'paid' };
  return { kind: 'failed', message: /[\u4e00-\u9fa5]/.test(detail) ? `支付未完成：${detail}` : '支付未完成，请稍后重试' };
}

export const PAY_ORDER_STATUS_NAMES: Record<PayOrderStatus, string> = {
  pending: '待支付',
  paid: '已支付',
  closed: '已关闭',
  flagged: '支付异常',
};

export const PAY_REFUND_STATUS_NAMES: Record<PayRefundView['status'], string> = {
  processing: '退款中',
  succeeded: '已退款',
  failed: '退款失败',
  flagged: '待人工处理',
};

/** The order's status as the clerk reads it in a list, refunds included: "已支付", "部分退款", "已全额退款". */
export function orderStatusText(order: Pick<PayOrderView, 'status' | 'payableFen' | 'refundedFen' | 'refunds'>): string {
  if (order.status === 'paid') {
    if (order.refunds.some((r) => r.status === PayRefundStatus.Processing)) return '退款中';
    if (order.refundedFen >= order.payableFen) return '已全额退款';
    if (order.refundedFen > 0) return '部分退款';
  }
  return PAY_ORDER_STATUS_NAMES[order.status] ?? order.status;
}

/** What may still be refunded: the paid amount less every refund not failed (processing ones are committed). */
export function refundableFen(order: Pick<PayOrderView, 'payableFen' | 'refunds'>): Fen {
  const committed = order.refunds.filter((r) => r.status !== PayRefundStatus.Failed).reduce((sum, r) => sum + r.amountFen, 0);
  return Math.max(0, order.payableFen - committed);
}

export function hasRefundInProgress(order: Pick<PayOrderView, 'refunds'>): boolean {
  return order.refunds.some((r) => r.status === PayRefundStatus.Processing);
}

/** Half of what is refundable, rounded down to the fen (the odd fen stays for a later refund). */
export function halfOf(fen: Fen): Fen {
  return Math.floor(fen / 2);
}

/** The refund amount the clerk typed, checked against what is still refundable; the same rule as the server. */
export function readRefundInput(text: string, refundable: Fen): AmountReading {
  const reading = readYuanInput(text, '退款金额');
  if (!reading.ok) return reading;
  const problem = checkRefund(refundable, 0, reading.fen);
  if (problem === 'REFUND_EXCEEDS_PAID') return { ok: false, message: `退款金额不能超过可退金额 ${money(refundable)}` };
  if (problem) return { ok: false, message: errorMessage(problem) };
  return { ok: true, fen: reading.fen };
}

/**
 * Asks `fetch` every `intervalMs` until `done` says the answer is final, `timeoutMs` has passed or `stopped()`
 * (the page closed). Resolves with the last answer and whether it is final; a failed ask is retried on the next
 * tick (the last error is rethrown only if no answer ever came).
 */
export async function pollUntil<T>(
  fetch: () => Promise<T>,
  done: (answer: T) => boolean,
  options: { intervalMs: number; timeoutMs: number; stopped?: () => boolean; onAnswer?: (answer: T) => void },
): Promise<{ answer: T; final: boolean } | null> {
  const deadline = Date.now() + options.timeoutMs;
  let last: { answer: T; final: boolean } | null = null;
  let lastError: unknown = null;
  for (;;) {
    if (options.stopped?.()) return last;
    try {
      const answer = await fetch();
      last = { answer, final: done(answer) };
      options.onAnswer?.(answer);
      if (last.final) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + options.intervalMs > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  if (!last && lastError) throw lastError;
  return last;
}
