import { FEEDBACK_KIND_LABELS, FEEDBACK_STATUS_LABELS, formatFen, type FeedbackCaseSummary, type GoodwillView } from '@member/shared';
import { businessDateTime } from './dates';

export type FeedbackTone = 'waiting' | 'answered' | 'done' | 'overdue';

/** The status chip of a case: 待回复 / 已回复 / 已解决 / 已评价, and for staff 已超时 when the answer is late. */
export function feedbackStatus(c: Pick<FeedbackCaseSummary, 'status' | 'overdue'>, forStaff = false): { text: string; tone: FeedbackTone } {
  if (forStaff && c.overdue) return { text: '已超时', tone: 'overdue' };
  const tone: FeedbackTone = c.status === 'open' ? 'waiting' : c.status === 'responded' ? 'answered' : 'done';
  return { text: FEEDBACK_STATUS_LABELS[c.status], tone };
}

export function feedbackTitle(c: Pick<FeedbackCaseSummary, 'kind' | 'categoryLabel'>): string {
  return `${FEEDBACK_KIND_LABELS[c.kind]} · ${c.categoryLabel}`;
}

/** What the member received: "补偿 300 积分" or "补偿 优惠券「无门槛10元」". */
export function goodwillText(goodwill: GoodwillView | null): string | null {
  if (!goodwill) return null;
  if (goodwill.kind === 'coupon') return `补偿优惠券「${goodwill.couponName ?? '优惠券'}」（面值${formatFen(goodwill.faceFen)}）`;
  return `补偿 ${goodwill.points} 积分`;
}

/** For staff: when the first answer is (or was) due, and how it went. */
export function dueText(c: Pick<FeedbackCaseSummary, 'dueAt' | 'firstResponseAt' | 'overdue'>): string {
  if (c.firstResponseAt) {
    const late = new Date(c.firstResponseAt).getTime() > new Date(c.dueAt).getTime();
    return `${late ? '超时' : '按时'}回复于 ${businessDateTime(c.firstResponseAt)}`;
  }
  return `${c.overdue ? '已超时，应于' : '请于'} ${businessDateTime(c.dueAt)} 前回复`;
}

export const RATING_WORDS = ['', '很不满意', '不满意', '一般', '满意', '非常满意'] as const;
