/**
 * What happened, as the owning module announces it. Each event is a plain class (its constructor is its
 * subscription key) carrying ids and the numbers a subscriber needs, never entities: a subscriber that wants
 * more reads it through the owner. Published inside the transaction that made it happen (see DomainEvents).
 */

/** How a sale was paid: at the till (recorded by a clerk) or in the app with WeChat Pay. */
export type SaleChannel = 'till' | 'wechat-pay';

/** Published by orders when a sale is settled: the purchase row exists, its points are burned and earned. */
export class SaleSettled {
  constructor(
    readonly purchaseId: number,
    readonly memberId: number,
    readonly channel: SaleChannel,
    readonly storeCode: string,
    readonly grossFen: number,
    readonly couponId: number | null,
    readonly couponDiscountFen: number,
    readonly pointsBurned: number,
    /** What the member paid in money. */
    readonly paidFen: number,
    readonly pointsEarned: number,
    /** The member's points balance right after the earn line (null when nothing was earned). */
    readonly balanceAfterEarn: number | null,
    readonly at: Date,
    /** 会员价: what the member price took off the gross (0 when none applied). */
    readonly memberDiscountFen: number = 0,
    /** The member's tier once the sale is settled (after an upgrade it caused); null when the publisher did not say. */
    readonly tierAfter: string | null = null,
  ) {}
}

/** Published by orders when a refund of a sale takes effect (at the till, or when WeChat Pay confirms it). */
export class SaleRefunded {
  constructor(
    readonly purchaseId: number,
    readonly purchaseRefundId: number,
    readonly memberId: number,
    readonly channel: SaleChannel,
    readonly amountFen: number,
    /** True when the sale is now refunded in full. */
    readonly full: boolean,
    readonly pointsClawed: number,
    readonly pointsRestored: number,
    readonly couponRestored: boolean,
    readonly at: Date,
  ) {}
}

/** Published by members when a member completes joining (consent + phone). */
export class MemberJoined {
  constructor(
    readonly memberId: number,
    readonly at: Date,
  ) {}
}

/**
 * Published by members when a member deletes their account (注销), inside the transaction that anonymised the
 * row: what other modules keep about the member that is not a ledger (message grants, a clerk's access) goes with it.
 */
export class MemberDeleted {
  constructor(
    readonly memberId: number,
    readonly at: Date,
  ) {}
}

/** Published by coupons when a coupon is redeemed (at the till, by an app order, or a standalone redemption). */
export class CouponRedeemed {
  constructor(
    readonly redemptionId: number,
    readonly couponId: number,
    readonly memberId: number,
    readonly orderAmountFen: number,
    readonly discountFen: number,
    readonly at: Date,
  ) {}
}

/** Published by coupons when a redemption is reversed (the coupon comes back if it is still valid). */
export class CouponRedemptionReversed {
  constructor(
    readonly redemptionId: number,
    readonly couponId: number,
    /** False when the coupon had expired meanwhile and stays used. */
    readonly restored: boolean,
    readonly at: Date,
  ) {}
}

/** Published by points for every ledger line: one movement of a member's balance. */
export class PointsChanged {
  constructor(
    readonly memberId: number,
    readonly ledgerId: number,
    /** Positive for credits, negative for debits. */
    readonly delta: number,
    readonly balanceAfter: number,
    readonly reason: string,
    readonly sourceKey: string,
    readonly purchaseId: number | null,
    readonly at: Date,
  ) {}
}

/** Published when a member's tier changes: upgraded by a sale, or lowered by the membership review. */
export class TierChanged {
  constructor(
    readonly memberId: number,
    readonly from: string,
    readonly to: string,
    readonly cause: 'sale' | 'review' | 'import',
    readonly at: Date,
  ) {}
}

/** Published by purchase-rules when a rule fired on a settled sale (inside the sale's transaction). */
export class PurchaseRewarded {
  constructor(
    readonly grantId: number,
    readonly ruleId: number,
    readonly ruleName: string,
    readonly memberId: number,
    readonly purchaseId: number,
    readonly points: number,
    /** The member's balance right after the reward's points (null when it gave none). */
    readonly balanceAfter: number | null,
    readonly couponName: string | null,
    readonly couponCount: number,
    readonly couponValidUntil: Date | null,
    readonly at: Date,
  ) {}
}
