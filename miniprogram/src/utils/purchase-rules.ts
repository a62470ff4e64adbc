import {
  formatFen,
  parseYuanToFen,
  type PurchaseRuleChannel,
  type PurchaseRuleRequest,
  type PurchaseRuleStatus,
  type PurchaseRuleView,
  type TierCode,
} from '@member/shared';

export const RULE_STATUS_NAMES: Record<PurchaseRuleStatus, string> = { draft: '草稿', active: '进行中', paused: '已暂停', ended: '已结束' };
export const CHANNEL_OPTIONS = [
  { value: 'any', label: '全部渠道' },
  { value: 'till', label: '门店收银' },
  { value: 'wechat-pay', label: '微信支付' },
] as const;
export const MULTIPLIER_OPTIONS = [
  { value: 'none', label: '不加倍' },
  { value: '2000', label: '双倍积分' },
  { value: '3000', label: '三倍积分' },
] as const;

/** The form as typed: text fields stay text until saved. */
export interface RuleForm {
  name: string;
  minPaidYuan: string;
  firstPurchase: boolean;
  tiers: TierCode[];
  stores: string;
  startsOn: string;
  endsOn: string;
  memberDayOnly: boolean;
  channel: PurchaseRuleChannel;
  couponTemplateId: number | null;
  couponCount: string;
  points: string;
  multiplier: 'none' | '2000' | '3000';
  maxGrants: string;
  maxPoints: string;
  maxCoupons: string;
  priority: string;
  exclusive: boolean;
  takeBackOnRefund: boolean;
}

export const emptyRuleForm = (): RuleForm => ({
  name: '',
  minPaidYuan: '',
  firstPurchase: false,
  tiers: [],
  stores: '',
  startsOn: '',
  endsOn: '',
  memberDayOnly: false,
  channel: 'any',
  couponTemplateId: null,
  couponCount: '1',
  points: '',
  multiplier: 'none',
  maxGrants: '',
  maxPoints: '',
  maxCoupons: '',
  priority: '0',
  exclusive: false,
  takeBackOnRefund: true,
});

export function ruleFormOf(rule: PurchaseRuleView): RuleForm {
  const text = (n: number | null) => (n === null ? '' : String(n));
  const c = rule.conditions;
  return {
    name: rule.name,
    minPaidYuan: c.minPaidFen === null ? '' : String(c.minPaidFen / 100),
    firstPurchase: c.firstPurchase,
    tiers: c.tiers,
    stores: c.stores.join(','),
    startsOn: c.startsOn ?? '',
    endsOn: c.endsOn ?? '',
    memberDayOnly: c.memberDayOnly,
    channel: c.channel,
    couponTemplateId: rule.reward.couponTemplateId,
    couponCount: String(rule.reward.couponCount || 1),
    points: rule.reward.points ? String(rule.reward.points) : '',
    multiplier:
      rule.reward.multiplierPermille === 2000 || rule.reward.multiplierPermille === 3000
        ? (String(rule.reward.multiplierPermille) as '2000')
        : 'none',
    maxGrants: text(rule.budget.maxGrants),
    maxPoints: text(rule.budget.maxPoints),
    maxCoupons: text(rule.budget.maxCoupons),
    priority: String(rule.priority),
    exclusive: rule.exclusive,
    takeBackOnRefund: rule.takeBackOnRefund,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The request, or the first problem in words (the field's label first). */
export function buildRuleRequest(form: RuleForm): { ok: true; request: PurchaseRuleRequest } | { ok: false; error: string } {
  const whole = (text: string, what: string, min = 0): number | null | string => {
    if (text.trim() === '') return null;
    const n = Number(text.trim());
    return Number.isInteger(n) && n >= min ? n : `${what}须为不小于 ${min} 的整数`;
  };
  if (!form.name.trim()) return { ok: false, error: '请填写规则名称' };
  const minPaidFen = form.minPaidYuan.trim() === '' ? null : parseYuanToFen(form.minPaidYuan);
  if (form.minPaidYuan.trim() !== '' && (minPaidFen === null || minPaidFen <= 0)) return { ok: false, error: '实付门槛须为大于 0 的金额' };
  for (const [date, label] of [
    [form.startsOn, '开始日期'],
    [form.endsOn, '结束日期'],
  ] as const)
    if (date && !DATE.test(date)) return { ok: false, error: `${label}格式为 2026-12-01` };
  const numbers = {
    couponCount: whole(form.couponCount, '赠券张数', 1),
    points: whole(form.points, '赠送积分'),
    maxGrants: whole(form.maxGrants, '最多发放次数', 1),
    maxPoints: whole(form.maxPoints, '积分预算', 1),
    maxCoupons: whole(form.maxCoupons, '券预算', 1),
    priority: whole(form.priority.replace(/^-/, ''), '优先级'),
  };
  for (const value of Object.values(numbers)) if (typeof value === 'string') return { ok: false, error: value };
  const n = numbers as Record<keyof typeof numbers, number | null>;
  return {
    ok: true,
    request: {
      name: form.name.trim(),
      priority: (form.priority.trim().startsWith('-') ? -1 : 1) * (n.priority ?? 0),
      exclusive: form.exclusive,
      conditions: {
        minPaidFen,
        firstPurchase: form.firstPurchase,
        tiers: form.tiers,
        stores: form.stores
          .split(/[,，\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
        startsOn: form.startsOn || null,
        endsOn: form.endsOn || null,
        memberDayOnly: form.memberDayOnly,
        channel: form.channel,
      },
      reward: {
        couponTemplateId: form.couponTemplateId,
        couponCount: form.couponTemplateId === null ? 0 : (n.couponCount ?? 1),
        points: n.points ?? 0,
        multiplierPermille: form.multiplier === 'none' ? null : Number(form.multiplier),
      },
      budget: { maxGrants: n.maxGrants, maxPoints: n.maxPoints, maxCoupons: n.maxCoupons },
      takeBackOnRefund: form.takeBackOnRefund,
    },
  };
}

/** "实付满¥300 · 首单 · 微信支付 · 2026-12-01 至 2026-12-07" */
export function conditionText(rule: PurchaseRuleView): string {
  const c = rule.conditions;
  const parts = [
    c.minPaidFen !== null ? `实付满${formatFen(c.minPaidFen)}` : '任意金额',
    ...(c.firstPurchase ? ['首单'] : []),
    ...(c.memberDayOnly ? ['会员日'] : []),
    ...(c.channel !== 'any' ? [CHANNEL_OPTIONS.find((o) => o.value === c.channel)!.label] : []),
    ...(c.stores.length ? [`门店 ${c.stores.join('、')}`] : []),
    ...(c.startsOn || c.endsOn ? [`${c.startsOn ?? '即日'} 至 ${c.endsOn ?? '长期'}`] : []),
  ];
  return parts.join(' · ');
}

/** "送 100 积分 + 满200减20 ×2 + 双倍积分" */
export function rewardSummary(rule: PurchaseRuleView): string {
  const r = rule.reward;
  const parts = [
    ...(r.points > 0 ? [`${r.points} 积分`] : []),
    ...(r.couponTemplateId !== null && r.couponCount > 0 ? [`${rule.couponTemplateName ?? '优惠券'} ×${r.couponCount}`] : []),
    ...(r.multiplierPermille && r.multiplierPermille > 1000 ? [`${r.multiplierPermille / 1000} 倍积分`] : []),
  ];
  return `送 ${parts.join(' + ')}`;
}
