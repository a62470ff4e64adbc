/** WeChat Pay in the app: checkout, orders, refunds — the HTTP contract. Money in fen. */
import type { CouponView } from './coupons';
import type { Fen } from './money';
import type { PurchaseView } from './purchases';

export const PayOrderStatus = {
  /** Created at WeChat (prepay made); the coupon and points are held for it until it is paid or closed. */
  Pending: 'pending',
  Paid: 'paid',
  /** Abandoned or expired: closed at WeChat, the coupon and points released. */
  Closed: 'closed',
  /** WeChat reported a payment that does not match the order (amount, app, merchant): nothing was granted. */
  Flagged: 'flagged',
} as const;
export type PayOrderStatus = (typeof PayOrderStatus)[keyof typeof PayOrderStatus];

export const PayRefundStatus = {
  /** Asked of WeChat; the money and the points move when WeChat says it succeeded. */
  Processing: 'processing',
  Succeeded: 'succeeded',
  /** WeChat closed it or it could not be made: nothing moved; the amount may be refunded again. */
  Failed: 'failed',
  /**
   * WeChat reported it succeeded but it conflicts with our state (e.g. it would exceed what was paid, another
   * amount than asked, or a refund we had failed): recorded, no points or coupon effects applied, left for a person.
   */
  Flagged: 'flagged',
} as const;
export type PayRefundStatus = (typeof PayRefundStatus)[keyof typeof PayRefundStatus];

/** GET /api/pay/checkout?amountFen=&storeCode= — what the member may apply to this amount. */
export interface CheckoutOptions {
  amountFen: Fen;
  storeCode: string;
  storeName: string;
  coupons: Array<{ coupon: CouponView; applicable: boolean; reasonText: string | null }>;
  pointsBalance: number;
  /** The rule the server applies (the client previews with the same shared function). */
  burnRule: { minPoints: number; maxPermilleOfOrder: number };
  /** The member's tier and its member price (per-mille, 1000 = none), as the order will be priced now. */
  tierName: string;
  memberPricePermille: number;
}

/** POST /api/pay/orders (member) — the server computes every amount from these. */
export interface CreatePayOrderRequest {
  amountFen: Fen;
  storeCode: string;
  couponId?: number;
  pointsToBurn?: number;
  /** One per checkout: a resent request answers the same order. */
  idempotencyKey: string;
}

/** What `wx.requestPayment` takes, made and signed by the server (the private key never leaves it). */
export interface RequestPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export interface PayRefundView {
  outRefundNo: string;
  amountFen: Fen;
  status: PayRefundStatus;
  createdAt: string;
  succeededAt: string | null;
  /** Once succeeded: what happened to points and the coupon. */
  pointsClawed: number;
  pointsRestored: number;
  couponRestored: boolean;
  /** Why a flagged refund was flagged (staff-facing); null otherwise. */
  flagReason: string | null;
}

export interface PayOrderView {
  outTradeNo: string;
  memberId: number;
  storeCode: string;
  status: PayOrderStatus;
  grossFen: Fen;
  /** 会员价 as recorded when the order was created (0 / 1000 when none applied). */
  memberDiscountFen: Fen;
  memberPricePermille: number;
  couponId: number | null;
  couponName: string | null;
  couponDiscountFen: Fen;
  pointsBurned: number;
  /** What WeChat Pay charges. */
  payableFen: Fen;
  refundedFen: Fen;
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
  transactionId: string | null;
  /** Why a flagged order was flagged (developer/admin-facing). */
  flagReason: string | null;
  /** Filled once paid: points earned and the member right after. */
  purchase: PurchaseView | null;
  refunds: PayRefundView[];
}

export interface CreatePayOrderResponse {
  order: PayOrderView;
  /** Null once the order is no longer payable. */
  payment: RequestPaymentParams | null;
}

/** POST /api/staff/pay/orders/:outTradeNo/refunds (clerk, admin) */
export interface CreatePayRefundRequest {
  amountFen: Fen;
  /** The same number again answers the same refund, never a second one. */
  outRefundNo: string;
  reason?: string;
}

/** GET /api/staff/pay/orders?status=&before= */
export interface PayOrderListResponse {
  orders: PayOrderView[];
  nextBefore: number | null;
}

/** The store payment code the till shows: the member scans it to pay this amount at this store. */
export interface StorePaymentCode {
  storeCode: string;
  amountFen: Fen;
}

const STORE_CODE_PREFIX = 'PAY1:';

/** Text of the store payment code QR: "PAY1:<store>:<fen>". */
export function encodeStorePaymentCode(code: StorePaymentCode): string {
  return `${STORE_CODE_PREFIX}${code.storeCode}:${code.amountFen}`;
}

/** The scanned text back, or null when it is not a store payment code (or the amount is not whole fen > 0). */
export function decodeStorePaymentCode(text: string): StorePaymentCode | null {
  if (!text.startsWith(STORE_CODE_PREFIX)) return null;
  const match = /^([A-Za-z0-9_-]{1,32}):(\d{1,9})$/.exec(text.slice(STORE_CODE_PREFIX.length).trim());
  if (!match) return null;
  const amountFen = Number(match[2]);
  return amountFen > 0 ? { storeCode: match[1], amountFen } : null;
}

/** Where a member's order was paid: in the app with WeChat Pay, or at the till (recorded by a clerk). */
export type MemberOrderKind = 'app' | 'in-store';

/** A refund of one of the member's orders, as the member reads it. */
export interface MemberOrderRefund {
  amountFen: Fen;
  /** 'processing' only for app orders whose refund WeChat has not confirmed yet. */
  status: 'processing' | 'succeeded';
  at: string;
}

/**
 * GET /api/my-orders — one of the member's orders, in the app or at the till. `ref` names it for the detail
 * (`GET /api/my-orders/:ref`): "A<out_trade_no>" for an app order, "S<purchase id>" for a till purchase.
 */
export interface MemberOrderView {
  ref: string;
  kind: MemberOrderKind;
  storeCode: string;
  storeName: string;
  /** The order amount before the member price, coupon and points. */
  grossFen: Fen;
  /** 会员价: what the member price took off (0 when none), and the per-mille applied. */
  memberDiscountFen: Fen;
  memberPricePermille: number;
  couponId: number | null;
  couponName: string | null;
  couponDiscountFen: Fen;
  pointsBurned: number;
  /** Money paid (or, while pending, to pay). */
  paidFen: Fen;
  refundedFen: Fen;
  pointsEarned: number;
  /** A till purchase is always 'paid'. */
  status: PayOrderStatus;
  /** App orders: the number WeChat Pay knows; till purchases: null. */
  outTradeNo: string | null;
  /** When it was placed (app) or recorded (till). */
  at: string;
  paidAt: string | null;
  /** Until when a pending app order can be paid; null otherwise. */
  expiresAt: string | null;
  refunds: MemberOrderRefund[];
}

/** GET /api/my-orders?cursor= — newest first; `nextCursor` continues after the last one (null: no more). */
export interface MemberOrderListResponse {
  orders: MemberOrderView[];
  nextCursor: string | null;
}

/** GET /api/pay/orders/pending — the member's newest unpaid order that can still be paid, if any. */
export interface PendingPayOrderResponse {
  order: PayOrderView | null;
}
