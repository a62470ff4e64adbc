/**
 * Coupons: enums, the status transition table, and the HTTP contract of the claim centre, the wallet, the
 * clerk's redemption and the admin's templates. Money in fen, discounts in per-mille, times ISO UTC.
 */
import type { TierCode } from './enums';
import type { Fen } from './money';

export const CouponKind = {
  /** 满减: `valueFen` off when the order reaches `thresholdFen`. */
  CashOff: 'cash_off',
  /** 无门槛: `valueFen` off any order (never below zero). */
  NoThreshold: 'no_threshold',
  /** 折扣: pay `percentPermille` of the price (850 = 8.5折), discount capped by `capFen` when set. */
  PercentOff: 'percent_off',
  /** 满赠: the gift `giftName` when the order reaches `thresholdFen`; no money off. */
  Gift: 'gift',
} as const;
export type CouponKind = (typeof CouponKind)[keyof typeof CouponKind];
export const COUPON_KINDS: readonly CouponKind[] = Object.values(CouponKind);

export const CouponTemplateStatus = { Active: 'active', Paused: 'paused' } as const;
export type CouponTemplateStatus = (typeof CouponTemplateStatus)[keyof typeof CouponTemplateStatus];

/** Who may claim: everyone, members of some tiers, or members who joined recently. */
export const CouponAudience = { All: 'all', Tiers: 'tiers', NewMembers: 'new_members' } as const;
export type CouponAudience = (typeof CouponAudience)[keyof typeof CouponAudience];

export const CouponStatus = { Available: 'available', Redeemed: 'redeemed', Expired: 'expired' } as const;
export type CouponStatus = (typeof CouponStatus)[keyof typeof CouponStatus];

/**
 * Allowed status changes. redeemed → available is the undo of a redemption (a refund) while the coupon is
 * still valid; redeemed → expired is the same undo after its validity ended.
 */
export const COUPON_TRANSITIONS: Readonly<Record<CouponStatus, readonly CouponStatus[]>> = {
  available: ['redeemed', 'expired'],
  redeemed: ['available', 'expired'],
  expired: [],
};

/** The money rules of a coupon, shared by the server and the mini-program's preview. */
export interface CouponTerms {
  kind: CouponKind;
  /** Cash off (cash_off, no_threshold). */
  valueFen: Fen | null;
  /** Minimum order (cash_off, gift; optional for percent_off). 0 = none. */
  thresholdFen: Fen;
  /** Price paid in per-mille (percent_off): 850 = 8.5折 = 15 % off. */
  percentPermille: number | null;
  /** Most a percent_off coupon takes off; null = no cap. */
  capFen: Fen | null;
  giftName: string | null;
  stacksWithMemberDiscount: boolean;
}

export type CouponValidity = { type: 'fixed'; validFrom: string; validUntil: string } | { type: 'relative'; validDays: number };

/** POST /api/admin/coupon-templates (admin) */
export interface CreateCouponTemplateRequest {
  name: string;
  description?: string;
  terms: CouponTerms;
  totalStock: number;
  perMemberLimit: number;
  validity: CouponValidity;
  claimStartsAt: string;
  claimEndsAt: string;
  audience: CouponAudience;
  /** With audience "tiers": the tiers that may claim. */
  audienceTiers?: TierCode[];
  /** Set: the template is sold in the points shop for this many points, and cannot be claimed for free. */
  pointsPrice?: number | null;
}

export interface CouponTemplateView extends Omit<CreateCouponTemplateRequest, 'description' | 'pointsPrice'> {
  id: number;
  pointsPrice: number | null;
  description: string | null;
  status: CouponTemplateStatus;
  claimedCount: number;
  /** Used: redeemed and not held by an unpaid app order. */
  redeemedCount: number;
  /** Held by members' unpaid app orders (已锁定): back to usable if those orders are cancelled or expire. */
  heldCount: number;
  createdAt: string;
  /**
   * Why its terms can no longer change (edit and delete refused), or null while it is not live yet:
   * see TemplateLiveReason.
   */
  liveBecause: TemplateLiveReason | null;
}

/**
 * What makes a coupon template live, after which its terms are frozen (no edit, no delete):
 * - `coupons_given`: a coupon of it exists (every coupon, claimed, bought with points, a birthday perk or a
 *   campaign's, takes stock, so claimed_count > 0 says so); a member holds those terms.
 * - `claimable`: it is active and its claim window has opened: members see it in the claim centre or the
 *   points shop and may claim it any moment.
 * - `campaign`: a launched campaign (past its draft) offers it and may issue it at any run.
 * - `birthday_perk`: the config names it as the birthday perk.
 * A paused template whose window has opened is editable again only while nobody holds one.
 */
export type TemplateLiveReason = 'coupons_given' | 'claimable' | 'campaign' | 'birthday_perk';

/** PUT /api/admin/coupon-templates/:id: the whole template again, while it is not live. */
export type UpdateCouponTemplateRequest = CreateCouponTemplateRequest;

/** PATCH /api/admin/coupon-templates/:id/status */
export interface SetCouponTemplateStatusRequest {
  status: CouponTemplateStatus;
}

/** Why a member may not claim a template now, as a code the app can show the message of. */
export type ClaimBlockReason =
  | 'COUPON_OUT_OF_STOCK'
  | 'COUPON_LIMIT_REACHED'
  | 'COUPON_NOT_ELIGIBLE'
  | 'COUPON_NEW_MEMBERS_ONLY'
  | 'COUPON_CLAIM_NOT_STARTED'
  | 'COUPON_CLAIM_ENDED'
  | 'COUPON_TEMPLATE_PAUSED'
  | 'MEMBER_NOT_JOINED'
  | 'POINTS_INSUFFICIENT';

/** GET /api/coupons/claim-centre: one entry per template the member can see. */
export interface ClaimCentreEntry {
  template: Pick<CouponTemplateView, 'id' | 'name' | 'description' | 'terms' | 'validity' | 'claimEndsAt' | 'perMemberLimit'>;
  /** Stock left, for "仅剩 N 张". */
  remainingStock: number;
  claimedByMe: number;
  canClaim: boolean;
  blockedBy: ClaimBlockReason | null;
  /** zh-CN reason for the button, e.g. "已领完", "每人限领 1 张", "仅金卡及以上". */
  blockedText: string | null;
}

/** GET /api/points-shop: coupons to exchange for points. */
export interface PointsShopEntry extends ClaimCentreEntry {
  pointsPrice: number;
}

/** POST /api/coupons/templates/:id/claim — the key makes a retried tap return the same coupon. */
export interface ClaimCouponRequest {
  idempotencyKey: string;
}

export interface CouponView {
  id: number;
  templateId: number;
  name: string;
  description: string | null;
  terms: CouponTerms;
  /** Shown as QR + barcode at the till. */
  code: string;
  /** 'held': taken by the member's unpaid app order (已锁定); it comes back if that order is cancelled or expires. */
  status: CouponViewStatus;
  validFrom: string;
  validUntil: string;
  /** Available but its validity has not begun yet, judged by the server's clock (a phone's clock may be wrong). */
  notYetValid: boolean;
  /** Whole business-calendar days left including today (1 = expires today); null unless usable. */
  daysLeft: number | null;
  claimedAt: string;
  redeemedAt: string | null;
}

/**
 * How the member sees a coupon: its stored status, or 'held' while an unpaid app order holds it (stored as
 * redeemed, since the order took it, but not used until the order is paid).
 */
export type CouponViewStatus = CouponStatus | 'held';

export type WalletTab = 'usable' | 'held' | 'used' | 'expired';

/** GET /api/coupons/wallet?tab=usable|held|used|expired — usable ones soonest to expire first. */
export interface WalletResponse {
  tab: WalletTab;
  coupons: CouponView[];
  counts: Record<WalletTab, number>;
}

/** POST /api/staff/coupons/preview and /redeem (clerk) */
export interface RedeemCouponRequest {
  code: string;
  orderAmountFen: Fen;
  /** The member the clerk identified by member code, if any: a coupon of another member is refused. */
  memberId?: number;
  /** Instead of `memberId`: the till ticket identifying the member (IdentifiedMemberView.tillTicket). */
  tillTicket?: string;
  /** Where it is redeemed: the clerk's account decides; when given it must be one of the account's stores. */
  storeCode?: string;
  /** Redeem only: a retried request with the same key answers the same redemption. */
  idempotencyKey?: string;
}

export interface CouponPreview {
  coupon: CouponView;
  memberId: number;
  applicable: boolean;
  /** Why not, when not applicable (e.g. COUPON_BELOW_THRESHOLD, COUPON_EXPIRED). */
  reason: string | null;
  reasonText: string | null;
  discountFen: Fen;
  payableFen: Fen;
  giftName: string | null;
}

export interface RedemptionView extends CouponPreview {
  redemptionId: number;
  redeemedAt: string;
}

/** POST /api/staff/coupons/redemptions/:id/reverse — a refund: the coupon comes back if still valid. */
export interface ReverseRedemptionResponse {
  coupon: CouponView;
  restored: boolean;
}
