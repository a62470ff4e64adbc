/** The keys that make a grant's effects happen once (the coupon's unique keys, the points ledger's source key). */
/** Claim sequences of reward coupons: far above claims (≤ 100) and campaign runs (1,000,000 + run), 10 per grant. */
export const rewardCouponSeq = (grantId: number, index: number) => 1_000_000_000 + grantId * 10 + index;
export const rewardCouponKey = (grantId: number, index: number) => `rule-grant:${grantId}:${index}`;
export const rewardPointsKey = (grantId: number) => `rule-grant:${grantId}:points`;
