import { describe, expect, it } from '@jest/globals';
import { dueText, feedbackStatus, goodwillText } from './feedback';

describe('feedback labels', () => {
  it('shows members 待回复 / 已回复 / 已解决 / 已评价 and staff 已超时 for a late first answer', () => {
    expect(feedbackStatus({ status: 'open', overdue: true })).toEqual({ text: '待回复', tone: 'waiting' });
    expect(feedbackStatus({ status: 'open', overdue: true }, true)).toEqual({ text: '已超时', tone: 'overdue' });
    expect(feedbackStatus({ status: 'responded', overdue: false }).text).toBe('已回复');
    expect(feedbackStatus({ status: 'resolved', overdue: false }).text).toBe('已解决');
    expect(feedbackStatus({ status: 'closed', overdue: false }).text).toBe('已评价');
  });

  it('says what goodwill was given', () => {
    expect(goodwillText(null)).toBeNull();
    expect(goodwillText({ kind: 'points', points: 300, couponId: null, couponName: null, faceFen: 0, reason: 'x', at: '' })).toBe(
      '补偿 300 积分',
    );
    expect(goodwillText({ kind: 'coupon', points: 0, couponId: 1, couponName: '无门槛10元', faceFen: 1000, reason: 'x', at: '' })).toBe(
      '补偿优惠券「无门槛10元」（面值¥10）',
    );
  });

  it('gives the due time in Beijing time, and whether the answer came in time', () => {
    expect(dueText({ dueAt: '2026-12-01T02:30:00Z', firstResponseAt: null, overdue: false })).toBe('请于 2026-12-01 10:30 前回复');
    expect(dueText({ dueAt: '2026-12-01T02:30:00Z', firstResponseAt: '2026-12-01T02:40:00Z', overdue: false })).toBe(
      '超时回复于 2026-12-01 10:40',
    );
  });
});
