import type { PurchaseReward } from './purchase-rules';
/** Purchases recorded at the till, their refunds, and the member's points: the HTTP contract. Money in fen. */
import type { TierCode } from './enums';
import type { Fen } from './money';
import type { PriceBasis } from './rules/member-price';

/** POST /api/staff/purchases (clerk) */
export interface RecordPurchaseRequest {
  /** The member code the clerk scanned (it proves the member is at the till); or, instead, `tillTicket`. */
  memberCode?: string;
  /**
   * What identifying the member handed the clerk (IdentifiedMemberView.tillTicket): lasts minutes, not the
   * code's 60 s, and only for this clerk at this store. Exactly one of `memberCode` and `tillTicket`.
   */
  tillTicket?: string;
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

/**
 * POST /api/staff/purchases/quote — what the customer pays before the clerk confirms: the same coupon check and
 * points rule the purchase then applies. Takes the purchase's fields without the key; a coupon or points that
 * do not apply answer their error code (COUPON_BELOW_THRESHOLD, POINTS_BURN_TOO_LARGE, …) as recording would.
 */
export type TillQuoteRequest = Omit<RecordPurchaseRequest, 'idempotencyKey'>;

export interface TillQuote {
  memberId: number;
  storeCode: string;
  grossFen: Fen;
  /** The member's tier now, and the member price applied (per-mille; 1000 when none or waived for the coupon). */
  tierName: string;
  memberPricePermille: number;
  /** 会员价: what the member price takes off the order amount. */
  memberDiscountFen: Fen;
  couponDiscountFen: Fen;
  /** The coupon's name ("满200减20"), when one is given (also when it is set aside). */
  couponName: string | null;
  /** How a coupon that does not stack with the member price was settled (see priceOrder). */
  priceBasis: PriceBasis;
  memberPriceWaived: boolean;
  couponSetAside: boolean;
  pointsBurned: number;
  pointsValueFen: Fen;
  /** 应付: what the customer pays in money. */
  payableFen: Fen;
  pointsBalance: number;
  /** The most points this order allows for this balance (0 below the minimum). */
  maxBurnPoints: number;
}

export interface PurchaseView {
  id: number;
  memberId: number;
  storeCode: string;
  grossFen: Fen;
  /** 会员价 as applied to this sale (0 / 1000 when none). */
  memberDiscountFen: Fen;
  memberPricePermille: number;
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
  /** What rules gave this purchase (本单获得: 营销规则 / 支付有礼), one entry per rule that fired. */
  rewards: PurchaseReward[];
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
  /** This refund's share of the sale's order amount, member discount and coupon discount (points: pointsRestored). */
  grossShareFen: Fen;
  memberDiscountShareFen: Fen;
  couponDiscountShareFen: Fen;
  refundedAt: string;
  purchase: PurchaseView;
}

export type PointsReasonCode =
  'earn' | 'burn' | 'clawback' | 'restore' | 'expire' | 'exchange' | 'campaign' | 'reward' | 'goodwill' | 'adjust' | 'import';

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

/**
 * GET /api/staff/sales?date=&storeCode=&receipt=&tillTicket=&before=&limit= — a store's sales of one business
 * day, newest first, paged by id (`before`). A clerk sees only their own stores; HQ (admin) sees every store.
 * `receipt` finds one sale by its receipt number; `tillTicket` (from identifying a member) narrows to that member.
 */
export interface SalesQuery {
  /** Business date (Asia/Shanghai), YYYY-MM-DD; today when left out. */
  date?: string;
  storeCode?: string;
  receipt?: string;
  tillTicket?: string;
  before?: number;
  limit?: number;
}

export type SaleChannelCode = 'till' | 'wechat-pay';

export interface SaleListItem {
  id: number;
  /** What the clerk reads off the receipt and types to find it again. */
  receiptNo: string;
  channel: SaleChannelCode;
  storeCode: string;
  memberId: number;
  /** "张**": staff recognise the customer without reading their name off the screen. */
  memberNameMasked: string | null;
  grossFen: Fen;
  /** 会员价 as applied to the sale (0 / 1000 when none). */
  memberDiscountFen: Fen;
  memberPricePermille: number;
  couponDiscountFen: Fen;
  pointsBurned: number;
  paidFen: Fen;
  refundedFen: Fen;
  pointsEarned: number;
  purchasedAt: string;
}

export interface SalesPage {
  date: string;
  sales: SaleListItem[];
  /** Pass as `before` for the next page; null at the end. */
  nextBefore: number | null;
}

/** GET /api/staff/sales/summary?date=&storeCode= — one business day at the clerk's store (HQ: every store). */
export interface SalesSummary {
  date: string;
  storeCode: string | null;
  salesCount: number;
  /** Money taken (after coupon and points), before refunds. */
  salesFen: Fen;
  refundedFen: Fen;
  /** Coupons redeemed at the store that day and not reversed. */
  redemptions: number;
  /** Members who joined that day and bought at the store that day (HQ without a store: everyone who joined). */
  newMembers: number;
}
