/**
 * Audiences (客户分层) as the marketing pages read and write them: what the admin picked and typed → the
 * AudienceFilter the server takes (or a zh-CN message per field), a filter → the lines that describe it, and the
 * words for statuses, segments and message kinds. Pure: no Taro, so jest checks it in node.
 */
import {
  formatFen,
  LifecycleStatus,
  CAMPAIGN_MESSAGE_KINDS,
  parseYuanToFen,
  RFM_SEGMENT_LABELS,
  RFM_SEGMENTS,
  TIER_CODES,
  type AudienceFilter,
  type MessageKind,
  type RfmSegment,
  type TierCode,
} from '@member/shared';
import { parseCount, TIER_NAMES } from './coupons';

export const LIFECYCLE_STATUSES: readonly LifecycleStatus[] = Object.values(LifecycleStatus);

/** config/README.md, "Tiers": new → active → regular (常客) → dormant (沉睡) → churned (流失). */
export const LIFECYCLE_STATUS_NAMES: Record<LifecycleStatus, string> = {
  new: '新会员',
  active: '活跃',
  regular: '常客',
  dormant: '沉睡',
  churned: '流失',
};

/**
 * The kinds' titles as config/defaults.json names them (the member's GET /api/messages/preferences carries the
 * retailer's own; no staff endpoint does, so the staff pages use these).
 */
export const MESSAGE_KIND_TITLES: Record<MessageKind, string> = {
  birthday: '生日祝福',
  coupon_arrived: '优惠券到账提醒',
  coupon_expiring: '优惠券过期提醒',
  reactivation: '专属回归礼',
  points_change: '积分变动提醒',
  service_reply: '服务进度提醒',
};

export const TIER_OPTIONS = TIER_CODES.map((tier) => ({ value: tier, label: TIER_NAMES[tier] }));
export const STATUS_OPTIONS = LIFECYCLE_STATUSES.map((status) => ({ value: status, label: LIFECYCLE_STATUS_NAMES[status] }));
/** Chip values are strings: "1" … "12". */
export const MONTH_OPTIONS = Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: `${i + 1}月` }));
export const SEGMENT_OPTIONS = RFM_SEGMENTS.map((segment) => ({ value: segment, label: RFM_SEGMENT_LABELS[segment] }));
export const MESSAGE_KIND_OPTIONS = CAMPAIGN_MESSAGE_KINDS.map((kind) => ({ value: kind, label: MESSAGE_KIND_TITLES[kind] }));

/** What the builder holds: chips as lists, number fields as typed. Empty = the criterion is left out. */
export interface AudienceForm {
  tiers: TierCode[];
  lifecycleStatuses: LifecycleStatus[];
  birthdayMonths: number[];
  rfmSegments: RfmSegment[];
  /** Days since the last purchase, as typed. */
  daysMin: string;
  daysMax: string;
  /** 12-month spend in yuan, as typed. */
  spendMin: string;
  spendMax: string;
}

export type AudienceFormField = 'daysMin' | 'daysMax' | 'spendMin' | 'spendMax';
export type AudienceFormErrors = Partial<Record<AudienceFormField, string>>;

export function emptyAudienceForm(): AudienceForm {
  return { tiers: [], lifecycleStatuses: [], birthdayMonths: [], rfmSegments: [], daysMin: '', daysMax: '', spendMin: '', spendMax: '' };
}

/** Adds the value to a multiple choice, or takes it out when it is there. */
export function toggled<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

const MAX_DAYS = 36_500;
/** ¥10,000,000,000: the server's bound, far above any member's spend. */
const MAX_SPEND_FEN = 1_000_000_000_000;

/** Spend up to ¥10 billion with cents: parseYuanToFen stops at 9 digits of yuan, which is ¥999,999,999. */
function parseSpend(text: string): number | null {
  const fen = parseYuanToFen(text);
  return fen !== null && fen <= MAX_SPEND_FEN ? fen : null;
}

export type AudienceReading = { ok: true; filter: AudienceFilter } | { ok: false; errors: AudienceFormErrors };

/** The form → the filter: lists sorted (so the same choice is the same filter), empty criteria left out. */
export function readAudienceForm(form: AudienceForm): AudienceReading {
  const errors: AudienceFormErrors = {};
  const filter: AudienceFilter = {};
  if (form.tiers.length > 0) filter.tiers = TIER_CODES.filter((t) => form.tiers.includes(t));
  if (form.lifecycleStatuses.length > 0) filter.lifecycleStatuses = LIFECYCLE_STATUSES.filter((s) => form.lifecycleStatuses.includes(s));
  if (form.birthdayMonths.length > 0) filter.birthdayMonths = [...new Set(form.birthdayMonths)].sort((a, b) => a - b);
  if (form.rfmSegments.length > 0) filter.rfmSegments = RFM_SEGMENTS.filter((s) => form.rfmSegments.includes(s));

  const days = (field: 'daysMin' | 'daysMax'): number | undefined => {
    if (!form[field].trim()) return undefined;
    const value = parseCount(form[field], 0, MAX_DAYS);
    if (value === null) errors[field] = `请输入 0–${MAX_DAYS} 的整数天数`;
    return value ?? undefined;
  };
  const spend = (field: 'spendMin' | 'spendMax'): number | undefined => {
    if (!form[field].trim()) return undefined;
    const value = parseSpend(form[field]);
    if (value === null) errors[field] = '请输入金额（元，最多两位小数）';
    return value ?? undefined;
  };
  const daysMin = days('daysMin');
  const daysMax = days('daysMax');
  if (daysMin !== undefined && daysMax !== undefined && daysMin > daysMax) errors.daysMax = '最多天数不能小于最少天数';
  if (daysMin !== undefined) filter.lastPurchaseDaysMin = daysMin;
  if (daysMax !== undefined) filter.lastPurchaseDaysMax = daysMax;
  const spendMin = spend('spendMin');
  const spendMax = spend('spendMax');
  if (spendMin !== undefined && spendMax !== undefined && spendMin > spendMax) errors.spendMax = '最高消费不能低于最低消费';
  if (spendMin !== undefined) filter.spendFenMin = spendMin;
  if (spendMax !== undefined) filter.spendFenMax = spendMax;

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, filter };
}

/** Fen → what a person would type in a yuan field: 30000 → "300", 13750 → "137.50". */
function yuanText(fen: number): string {
  return formatFen(fen, { symbol: false }).replace(/,/g, '');
}

const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);
const wholeIn =
  (min: number, max: number) =>
  (value: unknown): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * A filter (from a link, or a campaign) → the form showing it. Anything not a valid criterion is dropped, so a
 * hand-edited link can only ever narrow to a filter the builder could have made.
 */
export function audienceFormOf(filter: unknown): AudienceForm {
  const form = emptyAudienceForm();
  if (!filter || typeof filter !== 'object') return form;
  const f = filter as Record<string, unknown>;
  const list = <T>(value: unknown, keep: (item: unknown) => item is T): T[] =>
    Array.isArray(value) ? [...new Set(value.filter(keep))] : [];
  form.tiers = list(f.tiers, isOneOf(TIER_CODES));
  form.lifecycleStatuses = list(f.lifecycleStatuses, isOneOf(LIFECYCLE_STATUSES));
  form.birthdayMonths = list(f.birthdayMonths, wholeIn(1, 12));
  form.rfmSegments = list(f.rfmSegments, isOneOf(RFM_SEGMENTS));
  const days = wholeIn(0, MAX_DAYS);
  const fen = wholeIn(0, MAX_SPEND_FEN);
  if (days(f.lastPurchaseDaysMin)) form.daysMin = String(f.lastPurchaseDaysMin);
  if (days(f.lastPurchaseDaysMax)) form.daysMax = String(f.lastPurchaseDaysMax);
  if (fen(f.spendFenMin)) form.spendMin = yuanText(f.spendFenMin);
  if (fen(f.spendFenMax)) form.spendMax = yuanText(f.spendFenMax);
  return form;
}

function range(min: number | undefined, max: number | undefined, show: (n: number) => string, unit = ''): string {
  if (min !== undefined && max !== undefined) return min === max ? `${show(min)}${unit}` : `${show(min)}–${show(max)}${unit}`;
  if (min !== undefined) return `${show(min)}${unit}以上`;
  return `${show(max as number)}${unit}以内`;
}

/** The filter in words, one line per criterion: ["会员状态：新会员", "客户分层：高价值、潜力"]; ["全部会员"] when empty. */
export function describeAudience(filter: AudienceFilter): string[] {
  const lines: string[] = [];
  if (filter.tiers?.length) lines.push(`会员等级：${filter.tiers.map((t) => TIER_NAMES[t] ?? t).join('、')}`);
  if (filter.lifecycleStatuses?.length)
    lines.push(`会员状态：${filter.lifecycleStatuses.map((s) => LIFECYCLE_STATUS_NAMES[s] ?? s).join('、')}`);
  if (filter.birthdayMonths?.length) lines.push(`生日月份：${filter.birthdayMonths.map((m) => `${m}月`).join('、')}`);
  if (filter.lastPurchaseDaysMin !== undefined || filter.lastPurchaseDaysMax !== undefined) {
    lines.push(`距上次消费：${range(filter.lastPurchaseDaysMin, filter.lastPurchaseDaysMax, String, ' 天')}`);
  }
  if (filter.spendFenMin !== undefined || filter.spendFenMax !== undefined) {
    lines.push(`近12个月消费：${range(filter.spendFenMin, filter.spendFenMax, (fen) => formatFen(fen))}`);
  }
  if (filter.rfmSegments?.length) lines.push(`客户分层：${filter.rfmSegments.map((s) => RFM_SEGMENT_LABELS[s] ?? s).join('、')}`);
  return lines.length > 0 ? lines : ['全部会员'];
}

/** Reachable as a share of the audience: "50%", "12.5%", "0%"; "—" for an empty audience. */
export function reachShare(size: number, reachable: number): string {
  if (size <= 0) return '—';
  const tenths = Math.round((reachable * 1000) / size);
  return `${tenths / 10}%`;
}

/** A stable key for "has the question changed" (the preview asks again only then). */
export function previewKey(filter: AudienceFilter, messageKind: MessageKind | null): string {
  return JSON.stringify([filter, messageKind]);
}
