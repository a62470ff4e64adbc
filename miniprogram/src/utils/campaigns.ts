/**
 * Campaigns (营销活动) as the marketing pages read and write them: the new-campaign form → the request the
 * server takes (or a zh-CN message per field), and a campaign and its runs → the words and numbers of the run
 * report. Pure: no Taro, so jest checks it in node. The server validates again; its word is final.
 */
import {
  CampaignSchedule,
  formatFen,
  type AudienceFilter,
  type CampaignRunView,
  type CampaignStatus,
  type CampaignView,
  type CreateCampaignRequest,
  type MessageKind,
} from '@member/shared';
import type { AudienceFormErrors, AudienceReading } from './audience';
import { parseCount } from './coupons';
import { businessDateTime, businessInstant } from './dates';

export const CAMPAIGN_STATUS_NAMES: Record<CampaignStatus, string> = {
  draft: '草稿',
  active: '进行中',
  paused: '已暂停',
  ended: '已结束',
};

export const SCHEDULE_NAMES: Record<CampaignSchedule, string> = {
  now: '立即发送',
  at: '定时发送',
  birthday: '生日礼遇（每天）',
  reactivation: '沉睡唤醒（每天）',
  coupon_expiry: '券到期提醒（每天）',
};

export const SCHEDULE_OPTIONS = (Object.keys(SCHEDULE_NAMES) as CampaignSchedule[]).map((value) => ({
  value,
  label: SCHEDULE_NAMES[value],
}));

/** Why a message was not sent on purpose (CampaignMessageOutcomes.skipped), in the order the report lists them. */
export const SKIP_REASON_NAMES: Record<string, string> = {
  no_grant: '未订阅',
  opted_out: '已关闭',
  frequency_cap: '频次限制',
  no_member: '会员不存在',
};

/** WeChat's answers the sender records (CampaignMessageOutcomes.failed), as staff read them. */
const FAILURE_NAMES: Record<string, string> = {
  '43101': '用户拒收',
  '40003': 'openid 无效',
  '47003': '模板参数不正确',
  '40037': '模板 ID 无效',
  '43107': '订阅消息能力被封禁',
  timeout: '请求超时',
  invalid: '微信返回无效',
};

export function failureName(code: string): string {
  const known = FAILURE_NAMES[code];
  if (code === 'timeout' || code === 'invalid') return known;
  return known ? `错误码 ${code}（${known}）` : `错误码 ${code}`;
}

export const RUN_STATUS_NAMES: Record<CampaignRunView['status'], string> = {
  issuing: '发放中',
  done: '已完成',
};

// ---------------------------------------------------------------------------------------------------------
// The form

export interface CampaignForm {
  name: string;
  couponTemplateId: number | null;
  /** Points per treated member, as typed; empty = none. */
  points: string;
  messageKind: MessageKind | null;
  /** The message's {offer} text, as typed. */
  offerText: string;
  schedule: CampaignSchedule;
  /** For 'at': "YYYY-MM-DD" and "HH:mm" on the business calendar (Asia/Shanghai). */
  startsDate: string;
  startsTime: string;
  dormantDays: string;
  daysBefore: string;
  /** Holdout share in percent as typed ("10", "2.5"); empty = none. */
  holdoutPercent: string;
}

export type CampaignFormField = Exclude<keyof CampaignForm, 'startsTime'> | 'audience' | 'offer';
export type CampaignFormErrors = Partial<Record<CampaignFormField, string>>;

/** config/README.md: dormant after 90 days without a purchase; the expiry reminder's default is 3 days before. */
export function emptyCampaignForm(today: string): CampaignForm {
  return {
    name: '',
    couponTemplateId: null,
    points: '',
    messageKind: null,
    offerText: '',
    schedule: CampaignSchedule.Now,
    startsDate: today,
    startsTime: '10:00',
    dormantDays: '90',
    daysBefore: '3',
    holdoutPercent: '',
  };
}

export const MAX_NAME_LENGTH = 40;
/** WeChat's `thing` values: at most 20 characters. */
export const MAX_OFFER_LENGTH = 20;
export const MAX_POINTS = 100_000;
export const MAX_HOLDOUT_PERMILLE = 500;

/** Characters as the server counts them (UTF-16 units, so an emoji counts 2: never more than the server takes). */
export function charCount(text: string): number {
  return text.length;
}

/** "10" → 100 per mille, "2.5" → 25, "" → 0; null unless 0–50 with at most one decimal. */
export function parseHoldoutPercent(text: string): number | null {
  const trimmed = text.trim();
  if (!trimmed) return 0;
  const match = /^(\d{1,2})(?:\.(\d))?$/.exec(trimmed);
  if (!match) return null;
  const permille = Number(match[1]) * 10 + Number(match[2] ?? 0);
  return permille <= MAX_HOLDOUT_PERMILLE ? permille : null;
}

/** 100 → "10%", 25 → "2.5%". */
export function holdoutText(permille: number): string {
  return `${permille / 10}%`;
}

export type CampaignFormResult = { request: CreateCampaignRequest } | { errors: CampaignFormErrors; audienceErrors?: AudienceFormErrors };

/** The form (and the audience builder's reading) → the request, or what to fix, in zh-CN. */
export function buildCampaignRequest(form: CampaignForm, audience: AudienceReading, now: Date, idempotencyKey: string): CampaignFormResult {
  const errors: CampaignFormErrors = {};

  const name = form.name.trim();
  if (!name) errors.name = '请输入活动名称';
  else if (charCount(name) > MAX_NAME_LENGTH) errors.name = `活动名称最多 ${MAX_NAME_LENGTH} 个字`;

  let points = 0;
  if (form.points.trim()) {
    const parsed = parseCount(form.points, 0, MAX_POINTS);
    if (parsed === null) errors.points = `请输入 0–${MAX_POINTS.toLocaleString('en-US')} 的整数积分，不送积分可不填`;
    else points = parsed;
  }

  const offerText = form.offerText.trim();
  if (offerText && charCount(offerText) > MAX_OFFER_LENGTH) errors.offerText = `优惠文案最多 ${MAX_OFFER_LENGTH} 个字（微信消息的限制）`;

  if (form.couponTemplateId === null && points === 0 && form.messageKind === null && !errors.points) {
    errors.offer = '请至少选择优惠券、积分或消息中的一项';
  }

  let startsAt: string | null = null;
  let dormantDays: number | null = null;
  let daysBefore: number | null = null;
  switch (form.schedule) {
    case CampaignSchedule.At:
      startsAt = businessInstant(form.startsDate, form.startsTime);
      if (!startsAt) errors.startsDate = '请选择发送日期和时间';
      else if (Date.parse(startsAt) < now.getTime() - 60_000) errors.startsDate = '发送时间已过，请选择之后的时间';
      break;
    case CampaignSchedule.Reactivation:
      dormantDays = parseCount(form.dormantDays, 1, 3650);
      if (dormantDays === null) errors.dormantDays = '请输入 1–3650 的整数天数';
      break;
    case CampaignSchedule.CouponExpiry:
      daysBefore = parseCount(form.daysBefore, 1, 60);
      if (daysBefore === null) errors.daysBefore = '请输入 1–60 的整数天数';
      break;
    default:
      break;
  }

  const holdoutPermille = parseHoldoutPercent(form.holdoutPercent);
  if (holdoutPermille === null) errors.holdoutPercent = '对照组比例请输入 0–50 之间的数（最多一位小数），不设可不填';

  if (!audience.ok) errors.audience = '请检查目标人群中标红的项目';

  if (Object.keys(errors).length > 0 || !audience.ok || holdoutPermille === null) {
    return { errors, ...(audience.ok ? {} : { audienceErrors: audience.errors }) };
  }
  return {
    request: {
      name,
      filter: audience.filter,
      couponTemplateId: form.couponTemplateId,
      points,
      messageKind: form.messageKind,
      offerText: form.messageKind !== null && offerText ? offerText : null,
      schedule: form.schedule,
      startsAt,
      dormantDays,
      daysBefore,
      holdoutPermille,
      idempotencyKey,
    },
  };
}

/** The server's VALIDATION_FAILED detail paths → the form field whose message it is. */
export function campaignFieldOfServerPath(path: string): CampaignFormField | null {
  if (path === 'filter' || path.startsWith('filter.')) return 'audience';
  const fields: Record<string, CampaignFormField> = {
    name: 'name',
    couponTemplateId: 'couponTemplateId',
    points: 'points',
    messageKind: 'messageKind',
    offerText: 'offerText',
    schedule: 'schedule',
    startsAt: 'startsDate',
    dormantDays: 'dormantDays',
    daysBefore: 'daysBefore',
    holdoutPermille: 'holdoutPercent',
  };
  return fields[path] ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// The campaign and its runs

/** When it runs, in words: "发布后立即发送", "定时：2026-11-23 10:00", "每天：上次消费满 90 天的会员". */
export function scheduleText(campaign: Pick<CampaignView, 'schedule' | 'startsAt' | 'dormantDays' | 'daysBefore'>): string {
  switch (campaign.schedule) {
    case 'now':
      return '发布后立即发送';
    case 'at':
      return campaign.startsAt ? `定时：${businessDateTime(campaign.startsAt)}` : '定时发送';
    case 'birthday':
      return '每天：当天开始享受生日礼遇的会员';
    case 'reactivation':
      return `每天：上次消费恰好 ${campaign.dormantDays ?? '—'} 天的会员`;
    case 'coupon_expiry':
      return `每天：有优惠券 ${campaign.daysBefore ?? '—'} 天后到期的会员`;
    default:
      return String(campaign.schedule);
  }
}

/** What a treated member gets, in words: "优惠券「回归礼券」 + 100 积分"; "不发放优惠" when only a message. */
export function offerSummary(campaign: Pick<CampaignView, 'couponTemplateId' | 'couponTemplateName' | 'points'>): string {
  const parts: string[] = [];
  if (campaign.couponTemplateId !== null) parts.push(`优惠券「${campaign.couponTemplateName ?? `#${campaign.couponTemplateId}`}」`);
  if (campaign.points > 0) parts.push(`${campaign.points} 积分`);
  return parts.length > 0 ? parts.join(' + ') : '不发放优惠';
}

/** A run's period: "单次", or the business date of a recurring run. */
export function runPeriodText(run: Pick<CampaignRunView, 'period'>): string {
  return run.period === 'once' ? '单次' : run.period;
}

/** Newest first. */
export function runsNewestFirst(runs: readonly CampaignRunView[]): CampaignRunView[] {
  return [...runs].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.id - a.id);
}

export interface OutcomeLine {
  key: string;
  label: string;
  count: number;
}

/** Skipped messages by reason, known reasons first in a fixed order, zero counts left out. */
export function skippedLines(run: Pick<CampaignRunView, 'messages'>): OutcomeLine[] {
  const skipped = run.messages.skipped ?? {};
  const known = Object.keys(SKIP_REASON_NAMES);
  const keys = [
    ...known,
    ...Object.keys(skipped)
      .filter((k) => !known.includes(k))
      .sort(),
  ];
  return keys.filter((key) => (skipped[key] ?? 0) > 0).map((key) => ({ key, label: SKIP_REASON_NAMES[key] ?? key, count: skipped[key] }));
}

/** Failed messages by WeChat errcode, most frequent first. */
export function failedLines(run: Pick<CampaignRunView, 'messages'>): OutcomeLine[] {
  const failed = run.messages.failed ?? {};
  return Object.keys(failed)
    .filter((key) => failed[key] > 0)
    .sort((a, b) => failed[b] - failed[a] || a.localeCompare(b))
    .map((key) => ({ key, label: failureName(key), count: failed[key] }));
}

export function sumOf(counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((sum, n) => sum + n, 0);
}

/**
 * Treatment against holdout: revenue per member, the difference, and the lift in percent of the holdout's.
 * "未设对照组" without a holdout; no percentage while the holdout has spent nothing.
 */
export function liftText(run: Pick<CampaignRunView, 'treatment' | 'holdout'>): string {
  if (run.holdout.members === 0) return '未设对照组';
  const diff = run.treatment.revenuePerMemberFen - run.holdout.revenuePerMemberFen;
  const sign = diff > 0 ? '+' : diff < 0 ? '-' : '';
  const perMember = `${sign}${formatFen(Math.abs(diff))}/人`;
  if (run.holdout.revenuePerMemberFen <= 0) return perMember;
  const tenths = Math.round((Math.abs(diff) * 1000) / run.holdout.revenuePerMemberFen);
  return `${perMember}（${sign}${tenths / 10}%）`;
}

/** One group's line: "2 人 · 1 人消费 · 共 ¥300 · 人均 ¥150". */
export function groupText(group: CampaignRunView['treatment']): string {
  return `${group.members} 人 · ${group.purchasers} 人消费 · 共 ${formatFen(group.revenueFen)} · 人均 ${formatFen(group.revenuePerMemberFen)}`;
}

/** The list's one-line summary of the latest run. */
export function lastRunText(campaign: Pick<CampaignView, 'status' | 'runs'>): string {
  const [last] = runsNewestFirst(campaign.runs);
  if (!last) return campaign.status === 'draft' ? '尚未发布' : '尚未执行';
  const parts = [`目标 ${last.targeted} 人`, `发券 ${last.couponsIssued}`];
  if (last.pointsGranted > 0) parts.push(`积分 ${last.pointsGranted}`);
  parts.push(`消息送达 ${last.messages.sent}`);
  if (last.status === 'issuing') parts.push('发放中');
  return `${last.period === 'once' ? '执行结果' : `${last.period} 执行`}：${parts.join(' · ')}`;
}

/**
 * Whether the report is still moving: a run issuing, messages waiting in the outbox, or a one-off campaign
 * launched whose run has not appeared yet (a timed one once its time has come).
 */
export function reportIsMoving(campaign: Pick<CampaignView, 'status' | 'schedule' | 'startsAt' | 'runs'>, now: number): boolean {
  if (campaign.runs.some((run) => run.status === 'issuing' || run.messages.queued > 0)) return true;
  if (campaign.status !== 'active' || campaign.runs.length > 0) return false;
  if (campaign.schedule === 'now') return true;
  return campaign.schedule === 'at' && campaign.startsAt !== null && Date.parse(campaign.startsAt) <= now;
}

/** Whether a filter is the whole membership (worth a second look before launching). */
export function isEveryone(filter: AudienceFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

/** The fields in the order they stand on the form: the first one in red is scrolled to. */
export const CAMPAIGN_FIELD_ORDER: readonly CampaignFormField[] = [
  'name',
  'audience',
  'couponTemplateId',
  'points',
  'offer',
  'messageKind',
  'offerText',
  'schedule',
  'startsDate',
  'dormantDays',
  'daysBefore',
  'holdoutPercent',
];

/** A saved campaign back in the form: to edit the draft, or (with `name` given) to start a copy of it. */
export function campaignFormOf(campaign: CampaignView, today: string, name = campaign.name): CampaignForm {
  const startsAt = campaign.startsAt ? businessDateTime(campaign.startsAt).split(' ') : null;
  return {
    ...emptyCampaignForm(today),
    name,
    couponTemplateId: campaign.couponTemplateId,
    points: campaign.points ? String(campaign.points) : '',
    messageKind: campaign.messageKind,
    offerText: campaign.offerText ?? '',
    schedule: campaign.schedule,
    ...(startsAt ? { startsDate: startsAt[0], startsTime: startsAt[1] } : {}),
    ...(campaign.dormantDays !== null ? { dormantDays: String(campaign.dormantDays) } : {}),
    ...(campaign.daysBefore !== null ? { daysBefore: String(campaign.daysBefore) } : {}),
    holdoutPercent: campaign.holdoutPermille ? String(campaign.holdoutPermille / 10) : '',
  };
}
