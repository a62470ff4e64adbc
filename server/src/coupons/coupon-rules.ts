import { DateTime } from 'luxon';
import { addBusinessDays, startOfBusinessDay } from '../common/clock';
import type { AppConfig } from '@member/config';
import { TierCode, type ClaimBlockReason, type CouponValidity } from '@member/shared';

/**
 * Pure coupon rules: when a coupon is valid, who may claim a template now. No database, no clock: the
 * services pass `now` in, so tests can stand at 23:59:59 and 00:00:00 Asia/Shanghai.
 */

/** The validity a coupon claimed at `claimedAt` gets. "Valid for N days" ends at 23:59:59 local of day N (day 1 = claim day). */
export function couponValidity(validity: CouponValidity, claimedAt: Date, timeZone: string): { validFrom: Date; validUntil: Date } {
  if (validity.type === 'fixed') return { validFrom: new Date(validity.validFrom), validUntil: new Date(validity.validUntil) };
  const lastSecond = addBusinessDays(claimedAt, validity.validDays, timeZone).getTime() - 1000;
  return { validFrom: claimedAt, validUntil: new Date(lastSecond) };
}

/** Valid from `validFrom` through the whole last second `validUntil` (stored at second precision). */
export function validityState(now: Date, validFrom: Date, validUntil: Date): 'not_yet_valid' | 'valid' | 'expired' {
  if (now.getTime() < validFrom.getTime()) return 'not_yet_valid';
  if (now.getTime() >= validUntil.getTime() + 1000) return 'expired';
  return 'valid';
}

/** Whole business-calendar days left including today: 1 = expires today. */
export function daysLeft(now: Date, validUntil: Date, timeZone: string): number {
  const today = startOfBusinessDay(now, timeZone).getTime();
  const lastDay = startOfBusinessDay(validUntil, timeZone).getTime();
  // Rounding absorbs a 23- or 25-hour day at a DST change.
  return Math.max(0, Math.round((lastDay - today) / 86_400_000) + 1);
}

export interface ClaimSituation {
  now: Date;
  template: {
    status: 'active' | 'paused';
    claimStartsAt: Date;
    claimEndsAt: Date;
    totalStock: number;
    claimedCount: number;
    perMemberLimit: number;
    audience: 'all' | 'tiers' | 'new_members';
    audienceTiers: TierCode[];
    /** A fixed validity's last instant (null for N days from claim): past it, a claimed coupon would arrive expired. */
    validUntil: Date | null;
  };
  member: { joinedAt: Date | null; tier: TierCode };
  claimedByMe: number;
  config: Pick<AppConfig, 'tiers' | 'coupons'>;
}

/** The first reason a member may not claim now, in the order a shopper would want to hear it; null = may claim. */
export function claimBlockReason(s: ClaimSituation): ClaimBlockReason | null {
  if (!s.member.joinedAt) return 'MEMBER_NOT_JOINED';
  if (s.template.status === 'paused') return 'COUPON_TEMPLATE_PAUSED';
  if (s.now < s.template.claimStartsAt) return 'COUPON_CLAIM_NOT_STARTED';
  if (s.now > s.template.claimEndsAt || (s.template.validUntil !== null && s.now > s.template.validUntil)) return 'COUPON_CLAIM_ENDED';
  if (s.template.audience === 'tiers' && !s.template.audienceTiers.includes(s.member.tier)) return 'COUPON_NOT_ELIGIBLE';
  if (s.template.audience === 'new_members') {
    const newUntil = s.member.joinedAt.getTime() + s.config.coupons.newMemberDays * 86_400_000;
    if (s.now.getTime() > newUntil) return 'COUPON_NEW_MEMBERS_ONLY';
  }
  if (s.claimedByMe >= s.template.perMemberLimit) return 'COUPON_LIMIT_REACHED';
  if (s.template.claimedCount >= s.template.totalStock) return 'COUPON_OUT_OF_STOCK';
  return null;
}

/** The short zh-CN text on the claim button when claiming is blocked. */
export function claimBlockText(reason: ClaimBlockReason, s: ClaimSituation, timeZone: string): string {
  switch (reason) {
    case 'MEMBER_NOT_JOINED':
      return '开通会员后领取';
    case 'COUPON_TEMPLATE_PAUSED':
      return '暂停领取';
    case 'COUPON_CLAIM_NOT_STARTED':
      return `${DateTime.fromJSDate(s.template.claimStartsAt, { zone: timeZone }).toFormat('M月d日 HH:mm')} 开抢`;
    case 'COUPON_CLAIM_ENDED':
      return '已结束';
    case 'COUPON_NOT_ELIGIBLE':
      return tierRequirementText(s.template.audienceTiers, s.config.tiers);
    case 'COUPON_NEW_MEMBERS_ONLY':
      return '仅限新会员';
    case 'COUPON_LIMIT_REACHED':
      return s.template.perMemberLimit === 1 ? '已领取（每人限领 1 张）' : `每人限领 ${s.template.perMemberLimit} 张`;
    case 'COUPON_OUT_OF_STOCK':
      return '已领完';
    case 'POINTS_INSUFFICIENT':
      return '积分不足';
  }
}

/** "仅金卡及以上" when the allowed tiers are a top range, otherwise "仅银卡会员、钻石会员". */
export function tierRequirementText(allowed: TierCode[], tiers: AppConfig['tiers']): string {
  const sorted = [...tiers].sort((a, b) => a.minSpendFen - b.minSpendFen);
  const firstAllowed = sorted.findIndex((t) => allowed.includes(t.code));
  if (firstAllowed < 0) return '暂不可领取';
  const isTopRange = sorted.slice(firstAllowed).every((t) => allowed.includes(t.code));
  const shortName = (name: string) => name.replace(/会员$/, '');
  if (isTopRange)
    return firstAllowed === sorted.length - 1 ? `仅${sorted[firstAllowed].name}` : `仅${shortName(sorted[firstAllowed].name)}及以上`;
  return `仅${sorted
    .filter((t) => allowed.includes(t.code))
    .map((t) => t.name)
    .join('、')}`;
}
