/**
 * How coupons read in the app (zh-CN). The money rules themselves live in @member/shared
 * (computeCouponDiscount, describeCouponTerms); this file only turns terms, validity and status into text.
 */
import {
  describeCouponTerms,
  formatFen,
  parseYuanToFen,
  type CouponKind,
  type CouponViewStatus,
  type CouponTemplateStatus,
  type CouponTerms,
  type CouponValidity,
  type TierCode,
} from '@member/shared';
import { businessDate } from './dates';

export { describeCouponTerms as couponLabel };

export const COUPON_KIND_NAMES: Record<CouponKind, string> = {
  cash_off: '满减券',
  no_threshold: '无门槛券',
  percent_off: '折扣券',
  gift: '满赠券',
};

/** The member's words: 已使用, never the till's 已核销; 已锁定 while an unpaid order holds the coupon. */
export const COUPON_STATUS_NAMES: Record<CouponViewStatus, string> = {
  available: '可使用',
  held: '已锁定',
  redeemed: '已使用',
  expired: '已过期',
};

/** Where a coupon's 去使用 goes: 付款 with the coupon applied (the best one is picked only when none is asked for). */
export function payWithCouponUrl(couponId: number): string {
  return `/pages/pay/index?couponId=${couponId}`;
}

export const TEMPLATE_STATUS_NAMES: Record<CouponTemplateStatus, string> = {
  active: '进行中',
  paused: '已暂停',
};

/** The default tier names (config/defaults.json); the server's TierSummary carries the retailer's own. */
export const TIER_NAMES: Record<TierCode, string> = {
  normal: '普通会员',
  silver: '银卡会员',
  gold: '金卡会员',
  diamond: '钻石会员',
};

/** "¥20" without the symbol doubled: 2000 → "20", 1990 → "19.90". */
const yuan = (fen: number) => formatFen(fen, { symbol: false });

/** "8.5" for 850 per-mille, "9" for 900, "8.75" for 875. */
export function zheOf(permille: number): string {
  return String(permille / 100);
}

/** The big figure on a coupon's stub: "¥20" / "8.5折" / "赠", with the condition under it. */
export function couponStub(terms: CouponTerms): { prefix: string; value: string; suffix: string; condition: string } {
  const threshold = terms.thresholdFen > 0 ? `满${yuan(terms.thresholdFen)}可用` : '';
  switch (terms.kind) {
    case 'cash_off':
    case 'no_threshold':
      return { prefix: '¥', value: yuan(terms.valueFen ?? 0), suffix: '', condition: threshold || '无门槛' };
    case 'percent_off':
      return {
        prefix: '',
        value: zheOf(terms.percentPermille ?? 1000),
        suffix: '折',
        condition: terms.capFen !== null ? `最高减${yuan(terms.capFen)}` : threshold || '全场通用',
      };
    case 'gift':
      return { prefix: '', value: '赠', suffix: '', condition: threshold || '到店即赠' };
  }
}

/** The rules of a coupon in full sentences, for its detail page. */
export function explainCouponTerms(terms: CouponTerms): string[] {
  const lines: string[] = [];
  const threshold = terms.thresholdFen > 0 ? formatFen(terms.thresholdFen) : null;
  switch (terms.kind) {
    case 'cash_off':
      lines.push(`订单满 ${threshold ?? '¥0'} 可用，立减 ${formatFen(terms.valueFen ?? 0)}`);
      break;
    case 'no_threshold':
      lines.push(`无门槛，立减 ${formatFen(terms.valueFen ?? 0)}（订单金额不足时减至 ¥0）`);
      break;
    case 'percent_off': {
      const permille = terms.percentPermille ?? 1000;
      lines.push(`按 ${zheOf(permille)} 折结算，即优惠订单金额的 ${(1000 - permille) / 10}%`);
      if (threshold) lines.push(`订单满 ${threshold} 可用`);
      if (terms.capFen !== null) lines.push(`最多优惠 ${formatFen(terms.capFen)}`);
      break;
    }
    case 'gift':
      lines.push(threshold ? `订单满 ${threshold} 赠送「${terms.giftName ?? '礼品'}」` : `到店出示即赠「${terms.giftName ?? '礼品'}」`);
      break;
  }
  lines.push(terms.stacksWithMemberDiscount ? '可与会员折扣同时使用' : '不与会员折扣同时使用');
  lines.push('每张券限用一次，不找零、不兑换现金');
  return lines;
}

/** A template's validity: "领取后 7 天内有效" or "2026-12-01 至 2026-12-31". */
export function templateValidityText(validity: CouponValidity): string {
  if (validity.type === 'relative') return `领取后 ${validity.validDays} 天内有效`;
  return `${businessDate(validity.validFrom)} 至 ${businessDate(validity.validUntil)}`;
}

/** The badge's days until the public config says (config coupons.expiringSoonDays; its default). */
export const DEFAULT_EXPIRING_SOON_DAYS = 3;

/** Shown only in the last `withinDays` days of a usable coupon: "今天过期", "明天过期", "2天后过期". */
export function expiryBadge(daysLeft: number | null, withinDays = DEFAULT_EXPIRING_SOON_DAYS): string | null {
  if (daysLeft === null || daysLeft < 1 || daysLeft > withinDays) return null;
  if (daysLeft === 1) return '今天过期';
  if (daysLeft === 2) return '明天过期';
  return `${daysLeft - 1}天后过期`;
}

/** "8.5" (折) → 850 per-mille; null unless 0.1–9.99 with at most two decimals. Same arithmetic as yuan → fen. */
export function parseZheToPermille(text: string): number | null {
  const permille = parseYuanToFen(text);
  return permille !== null && permille >= 1 && permille <= 999 ? permille : null;
}

/** A whole number typed by a person, within [min, max]; null otherwise. */
export function parseCount(text: string, min: number, max: number): number | null {
  if (!/^\s*\d{1,9}\s*$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}
