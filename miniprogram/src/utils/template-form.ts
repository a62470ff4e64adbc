/**
 * The admin's "new coupon" form: what the person typed (strings, as the inputs hold them) → the request the
 * server accepts, or a zh-CN message per field. Pure, so the form's rules are tested without a browser; the
 * server validates again (its word is final), this only saves the admin a round trip and explains in Chinese.
 */
import {
  formatFen,
  parseYuanToFen,
  type CouponAudience,
  type CouponKind,
  type CouponTemplateView,
  type CreateCouponTemplateRequest,
  type TierCode,
} from '@member/shared';
import { parseCount, parseZheToPermille, zheOf } from './coupons';
import { businessDate, businessInstant } from './dates';

export type ValidityType = 'relative' | 'fixed';

export interface TemplateForm {
  name: string;
  description: string;
  kind: CouponKind;
  /** Yuan, as typed. */
  value: string;
  threshold: string;
  /** 折, e.g. "8.5". */
  percent: string;
  /** Yuan; empty = no cap. */
  cap: string;
  giftName: string;
  stock: string;
  perMemberLimit: string;
  validityType: ValidityType;
  validDays: string;
  /** "YYYY-MM-DD" on the business calendar. */
  validFrom: string;
  validUntil: string;
  claimStarts: string;
  claimEnds: string;
  audience: CouponAudience;
  tiers: TierCode[];
  stacksWithMemberDiscount: boolean;
  /** Empty = a free coupon in the claim centre; a number = sold in the points shop for that many points. */
  pointsPrice: string;
}

export type TemplateFormField = keyof TemplateForm;
export type TemplateFormErrors = Partial<Record<TemplateFormField, string>>;

/** A blank form: claimable from today for 30 days, valid 7 days from claim, for everyone. */
export function emptyTemplateForm(today: string, in30Days: string): TemplateForm {
  return {
    name: '',
    description: '',
    kind: 'cash_off',
    value: '',
    threshold: '',
    percent: '',
    cap: '',
    giftName: '',
    stock: '',
    perMemberLimit: '1',
    validityType: 'relative',
    validDays: '7',
    validFrom: today,
    validUntil: in30Days,
    claimStarts: today,
    claimEnds: in30Days,
    audience: 'all',
    tiers: [],
    stacksWithMemberDiscount: false,
    pointsPrice: '',
  };
}

const MAX_FEN = 100_000_000;

/**
 * Dates are whole business days: a window "2026-12-01 to 2026-12-31" starts at 00:00:00 on the first day and
 * ends at 23:59:59 on the last, Asia/Shanghai, which is what a retailer means by it.
 */
function dayStart(date: string): string | null {
  return businessInstant(date, '00:00:00');
}
function dayEnd(date: string): string | null {
  return businessInstant(date, '23:59:59');
}

export function buildTemplateRequest(
  form: TemplateForm,
  now: Date,
): { request: CreateCouponTemplateRequest } | { errors: TemplateFormErrors } {
  const errors: TemplateFormErrors = {};
  const money = (field: TemplateFormField, text: string, what: string, min: number): number | null => {
    const fen = parseYuanToFen(text);
    if (fen === null || fen < min || fen > MAX_FEN) {
      errors[field] = `请输入${what}（元，最多两位小数${min > 0 ? '，大于 0' : ''}）`;
      return null;
    }
    return fen;
  };

  const name = form.name.trim();
  if (!name) errors.name = '请输入券名称';
  else if (name.length > 40) errors.name = '券名称最多 40 个字';
  const description = form.description.trim();
  if (description.length > 200) errors.description = '使用说明最多 200 个字';

  let valueFen: number | null = null;
  let thresholdFen = 0;
  let percentPermille: number | null = null;
  let capFen: number | null = null;
  let giftName: string | null = null;
  switch (form.kind) {
    case 'cash_off':
      valueFen = money('value', form.value, '减免金额', 1);
      thresholdFen = money('threshold', form.threshold, '使用门槛', 1) ?? 0;
      if (valueFen !== null && thresholdFen > 0 && valueFen >= thresholdFen) errors.value = '减免金额应小于使用门槛';
      break;
    case 'no_threshold':
      valueFen = money('value', form.value, '减免金额', 1);
      break;
    case 'percent_off':
      percentPermille = parseZheToPermille(form.percent);
      if (percentPermille === null) errors.percent = '请输入折扣，如 8.5（0.01–9.99 折）';
      if (form.threshold.trim()) thresholdFen = money('threshold', form.threshold, '使用门槛', 0) ?? 0;
      if (form.cap.trim()) capFen = money('cap', form.cap, '最高优惠金额', 1);
      break;
    case 'gift':
      giftName = form.giftName.trim() || null;
      if (!giftName) errors.giftName = '请输入赠品名称';
      else if (giftName.length > 40) errors.giftName = '赠品名称最多 40 个字';
      if (form.threshold.trim()) thresholdFen = money('threshold', form.threshold, '使用门槛', 0) ?? 0;
      break;
  }

  const totalStock = parseCount(form.stock, 1, 10_000_000);
  if (totalStock === null) errors.stock = '请输入发行总量（1–10,000,000 张）';
  const perMemberLimit = parseCount(form.perMemberLimit, 1, 100);
  if (perMemberLimit === null) errors.perMemberLimit = '请输入每人限领张数（1–100）';
  else if (totalStock !== null && perMemberLimit > totalStock) errors.perMemberLimit = '每人限领不能超过发行总量';

  let validity: CreateCouponTemplateRequest['validity'] | null = null;
  if (form.validityType === 'relative') {
    const validDays = parseCount(form.validDays, 1, 3650);
    if (validDays === null) errors.validDays = '请输入有效天数（1–3650）';
    else validity = { type: 'relative', validDays };
  } else {
    const validFrom = dayStart(form.validFrom);
    const validUntil = dayEnd(form.validUntil);
    if (!validFrom) errors.validFrom = '请选择有效期开始日期';
    if (!validUntil) errors.validUntil = '请选择有效期结束日期';
    else if (Date.parse(validUntil) < now.getTime()) errors.validUntil = '有效期结束日期已过';
    if (validFrom && validUntil && validUntil <= validFrom) errors.validUntil = '结束日期不能早于开始日期';
    if (validFrom && validUntil) validity = { type: 'fixed', validFrom, validUntil };
  }

  const claimStartsAt = dayStart(form.claimStarts);
  const claimEndsAt = dayEnd(form.claimEnds);
  if (!claimStartsAt) errors.claimStarts = '请选择领取开始日期';
  if (!claimEndsAt) errors.claimEnds = '请选择领取结束日期';
  else if (Date.parse(claimEndsAt) < now.getTime()) errors.claimEnds = '领取结束日期已过';
  if (claimStartsAt && claimEndsAt && claimEndsAt <= claimStartsAt) errors.claimEnds = '结束日期不能早于开始日期';
  // A coupon claimable after its fixed validity ended would reach the wallet already expired.
  if (validity?.type === 'fixed' && claimEndsAt && claimEndsAt > validity.validUntil && !errors.claimEnds)
    errors.claimEnds = '领取结束不能晚于有效期结束';

  if (form.audience === 'tiers' && form.tiers.length === 0) errors.tiers = '请至少选择一个会员等级';
  let pointsPrice: number | null = null;
  if (form.pointsPrice.trim()) {
    pointsPrice = parseCount(form.pointsPrice, 1, 10_000_000);
    if (pointsPrice === null) errors.pointsPrice = '兑换积分请输入 1–10,000,000 的整数，不填则为免费领取';
  }

  if (Object.keys(errors).length > 0 || totalStock === null || perMemberLimit === null || !validity || !claimStartsAt || !claimEndsAt) {
    return { errors };
  }
  return {
    request: {
      name,
      ...(description ? { description } : {}),
      terms: {
        kind: form.kind,
        valueFen,
        thresholdFen,
        percentPermille,
        capFen,
        giftName,
        stacksWithMemberDiscount: form.stacksWithMemberDiscount,
      },
      totalStock,
      perMemberLimit,
      validity,
      claimStartsAt,
      claimEndsAt,
      audience: form.audience,
      ...(form.audience === 'tiers' ? { audienceTiers: form.tiers } : {}),
      ...(pointsPrice !== null ? { pointsPrice } : {}),
    },
  };
}

/**
 * The server's VALIDATION_FAILED details name request paths (`terms.valueFen`, `claimEndsAt`): the form field
 * each belongs to, so its message sits under the right input.
 */
const SERVER_PATHS: Record<string, TemplateFormField> = {
  name: 'name',
  description: 'description',
  'terms.valueFen': 'value',
  'terms.thresholdFen': 'threshold',
  'terms.percentPermille': 'percent',
  'terms.capFen': 'cap',
  'terms.giftName': 'giftName',
  totalStock: 'stock',
  perMemberLimit: 'perMemberLimit',
  'validity.validDays': 'validDays',
  'validity.validFrom': 'validFrom',
  'validity.validUntil': 'validUntil',
  claimStartsAt: 'claimStarts',
  claimEndsAt: 'claimEnds',
  audienceTiers: 'tiers',
  pointsPrice: 'pointsPrice',
};

export function fieldOfServerPath(path: string): TemplateFormField | null {
  return SERVER_PATHS[path] ?? null;
}

/** The fields in the order they stand on the form: the first one in red is scrolled to. */
export const TEMPLATE_FIELD_ORDER: readonly TemplateFormField[] = [
  'name',
  'value',
  'percent',
  'cap',
  'giftName',
  'threshold',
  'stock',
  'perMemberLimit',
  'validDays',
  'validFrom',
  'validUntil',
  'claimStarts',
  'claimEnds',
  'tiers',
  'pointsPrice',
  'description',
];

const yuanOf = (fen: number | null): string => (fen === null || fen === 0 ? '' : formatFen(fen, { symbol: false }).replace(/,/g, ''));

/** A saved template back in the form: to edit it, or (with `name` given) to start a copy from its terms. */
export function templateFormOf(template: CouponTemplateView, name = template.name): TemplateForm {
  const { terms, validity } = template;
  return {
    name,
    description: template.description ?? '',
    kind: terms.kind,
    value: yuanOf(terms.valueFen),
    threshold: yuanOf(terms.thresholdFen),
    percent: terms.percentPermille === null ? '' : zheOf(terms.percentPermille),
    cap: yuanOf(terms.capFen),
    giftName: terms.giftName ?? '',
    stock: String(template.totalStock),
    perMemberLimit: String(template.perMemberLimit),
    validityType: validity.type,
    validDays: validity.type === 'relative' ? String(validity.validDays) : '7',
    validFrom: validity.type === 'fixed' ? businessDate(validity.validFrom) : businessDate(template.claimStartsAt),
    validUntil: validity.type === 'fixed' ? businessDate(validity.validUntil) : businessDate(template.claimEndsAt),
    claimStarts: businessDate(template.claimStartsAt),
    claimEnds: businessDate(template.claimEndsAt),
    audience: template.audience,
    tiers: template.audienceTiers ?? [],
    stacksWithMemberDiscount: terms.stacksWithMemberDiscount,
    pointsPrice: template.pointsPrice === null ? '' : String(template.pointsPrice),
  };
}
