/** Purchases recorded at the till, their refunds, and the member's points: the HTTP contract. Money in fen. */
import type { TierCode } from './enums';
import type { Fen } from './money';

/** POST /api/staff/purchases (clerk) */
export interface RecordPurchaseRequest {
  /** The member code the clerk scanned (it proves the member is at the till). */
  memberCode: string;
  /** The order's amount before coupon and points. */
  amountFen: Fen;
  /**
   * Where the sale happens. The store comes from the clerk's account: this may be left out when the account
   * has one store, and when given it must be one of the account's stores (STORE_NOT_YOURS otherwise).
   */
  storeCode?: string;
  /** A coupon of this member to redeem on this purchase. */
  couponCode?: string;
  /** Points to pay with (100 points = ¥1). */
  pointsToBurn?: number;
  /** One per purchase at the till: a resent request answers the first one's result. */
  idempotencyKey: string;
}

export interface PurchaseView {
  id: number;
  memberId: number;
  storeCode: string;
  grossFen: Fen;
  couponDiscountFen: Fen;
  couponId: number | null;
  pointsBurned: number;
  paidFen: Fen;
  refundedFen: Fen;
  pointsEarned: number;
  /** 2000 when double points applied (member day, birthday window). */
  bonusPermille: number;
  purchasedAt: string;
  /** The member right after: what the clerk tells the customer. */
  member: { pointsBalance: number; tier: TierCode; tierName: string; spendFen: Fen };
}

/** POST /api/staff/purchases/:id/refunds */
export interface RefundPurchaseRequest {
  amountFen: Fen;
  /** The till's refund number: the same number again answers the same refund. */
  refundNo: string;
}

export interface RefundView {
  id: number;
  purchaseId: number;
  amountFen: Fen;
  pointsClawed: number;
  /** Points the member had already spent, so could not be taken back (the balance never goes negative). */
  pointsShortfall: number;
  pointsRestored: number;
  couponRestored: boolean;
  refundedAt: string;
  purchase: PurchaseView;
}

export type PointsReasonCode = 'earn' | 'burn' | 'clawback' | 'restore' | 'expire' | 'exchange' | 'campaign';

export interface PointsHistoryLine {
  id: number;
  reason: PointsReasonCode;
  /** zh-CN: "消费积分 · 门店 S001", "积分抵现", "退款扣回", … */
  title: string;
  delta: number;
  balanceAfter: number;
  at: string;
  /** Credits: when these points expire. */
  expiresAt: string | null;
}

/** GET /api/members/me/points?before=<line id> */
export interface PointsResponse {
  balance: number;
  /** What expires next, soonest first: "500 积分将于 2027-12-31 过期". */
  expiring: Array<{ points: number; expiresAt: string }>;
  lines: PointsHistoryLine[];
  /** Pass as `before` for the next page; null at the end. */
  nextBefore: number | null;
}
