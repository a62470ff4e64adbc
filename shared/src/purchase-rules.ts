import type { Fen } from './money';
import type { TierCode } from './enums';

/**
 * Rewards fired by a purchase (营销规则 / 支付有礼): an admin's rule says which settled sales earn what. A rule
 * is drafted, then activated (it fires), paused (it does not, and can be activated again) or ended (for good).
 */
export const PurchaseRuleStatus = {
  Draft: 'draft',
  Active: 'active',
  Paused: 'paused',
  Ended: 'ended',
} as const;
export type PurchaseRuleStatus = (typeof PurchaseRuleStatus)[keyof typeof PurchaseRuleStatus];
export const PURCHASE_RULE_STATUSES: readonly PurchaseRuleStatus[] = Object.values(PurchaseRuleStatus);

/** Which sales a rule looks at: paid at the till, with WeChat Pay in the app, or either. */
export const PurchaseRuleChannel = {
  Any: 'any',
  Till: 'till',
  WechatPay: 'wechat-pay',
} as const;
export type PurchaseRuleChannel = (typeof PurchaseRuleChannel)[keyof typeof PurchaseRuleChannel];
export const PURCHASE_RULE_CHANNELS: readonly PurchaseRuleChannel[] = Object.values(PurchaseRuleChannel);

/** What a sale must be for the rule to fire. Empty lists and nulls mean "any". */
export interface PurchaseRuleConditions {
  /** At least this much paid in money (实付: after the coupon and the points, `paidFen`); null: any amount. */
  minPaidFen: Fen | null;
  /** Only the member's first settled purchase (首单礼). */
  firstPurchase: boolean;
  /** The member's tier once the sale is settled; empty: every tier. */
  tiers: TierCode[];
  /** Store codes; empty: every store. */
  stores: string[];
  /** From the start of this business-calendar day (Asia/Shanghai), inclusive; null: no start. */
  startsOn: string | null;
  /** Through the end of this business-calendar day, inclusive; null: no end. */
  endsOn: string | null;
  /** Only on member days (会员日, config points.memberDaysOfMonth). */
  memberDayOnly: boolean;
  channel: PurchaseRuleChannel;
}

/** What the rule gives, any combination. */
export interface PurchaseRuleReward {
  /** Coupons of this template (taken from its stock), `couponCount` of them. */
  couponTemplateId: number | null;
  couponCount: number;
  /** Fixed points. */
  points: number;
  /**
   * A points multiplier in per-mille over what the sale earned: 2000 = double (bonus = earned × 1000/1000),
   * 3000 = triple; 1000 (or null) = none. With the date range, this is a double/triple points window.
   */
  multiplierPermille: number | null;
}

/** Limits over the rule's life; null: unlimited. A rule out of budget simply does not fire. */
export interface PurchaseRuleBudget {
  maxGrants: number | null;
  maxPoints: number | null;
  maxCoupons: number | null;
}

/** POST /api/staff/purchase-rules, PUT /api/staff/purchase-rules/:id (while draft) */
export interface PurchaseRuleRequest {
  name: string;
  priority: number;
  exclusive: boolean;
  conditions: PurchaseRuleConditions;
  reward: PurchaseRuleReward;
  budget: PurchaseRuleBudget;
  /** On a full refund of the sale: take the points back, void unused coupons (default true). */
  takeBackOnRefund: boolean;
}

export interface PurchaseRuleView extends PurchaseRuleRequest {
  id: number;
  status: PurchaseRuleStatus;
  couponTemplateName: string | null;
  grantedCount: number;
  pointsGranted: number;
  couponsGranted: number;
  createdAt: string;
}

export interface PurchaseRuleListResponse {
  rules: PurchaseRuleView[];
}

/** POST /api/staff/purchase-rules/:id/status */
export interface PurchaseRuleStatusRequest {
  status: 'active' | 'paused' | 'ended';
}

/** What one rule gave one purchase, as the pay result page and the till show it (本单获得). */
export interface PurchaseReward {
  ruleId: number;
  ruleName: string;
  points: number;
  couponNames: string[];
  /** True once a full refund took it back. */
  takenBack: boolean;
}

/** GET /api/staff/purchase-rules/:id/report */
export interface PurchaseRuleReport {
  ruleId: number;
  grants: number;
  takenBack: number;
  pointsGranted: number;
  pointsClawed: number;
  couponsGranted: number;
  couponsUsed: number;
  couponsVoided: number;
  /** Points still out at ¥0.01 each + discount of used reward coupons + losses. */
  costFen: Fen;
  pointsCostFen: Fen;
  couponDiscountFen: Fen;
  lossFen: Fen;
  rewardedMembers: number;
  /** What the triggering purchases paid. */
  triggeringPaidFen: Fen;
  /** What rewarded members paid after their rewarded purchase, within the rule's date range. */
  laterPaidFen: Fen;
  laterPurchases: number;
}
