import {
  answeredInTime,
  compareFeedbackQueue,
  couponFaceFen,
  firstResponseDueAt,
  goodwillWithinLimit,
  isFeedbackOverdue,
  median,
  pointsAdjustmentWithinLimit,
  type QueueEntry,
} from './feedback';

const minutes = { store: 60, online: 30 };
const at = (iso: string) => new Date(iso);

describe('first response deadline', () => {
  it('is 60 minutes in store and 30 online after the case was raised', () => {
    expect(firstResponseDueAt(at('2026-12-01T02:00:00Z'), 'store', minutes)).toEqual(at('2026-12-01T03:00:00Z'));
    expect(firstResponseDueAt(at('2026-12-01T02:00:00Z'), 'online', minutes)).toEqual(at('2026-12-01T02:30:00Z'));
  });

  it('is overdue only while unanswered and past due', () => {
    const c = { status: 'open' as const, dueAt: at('2026-12-01T02:30:00Z'), firstResponseAt: null };
    expect(isFeedbackOverdue(c, at('2026-12-01T02:30:00Z'))).toBe(false);
    expect(isFeedbackOverdue(c, at('2026-12-01T02:30:01Z'))).toBe(true);
    expect(isFeedbackOverdue({ ...c, status: 'responded', firstResponseAt: at('2026-12-01T02:40:00Z') }, at('2026-12-01T03:00:00Z'))).toBe(
      false,
    );
  });

  it('says whether the first answer came in time', () => {
    expect(answeredInTime({ dueAt: at('2026-12-01T02:30:00Z'), firstResponseAt: at('2026-12-01T02:30:00Z') })).toBe(true);
    expect(answeredInTime({ dueAt: at('2026-12-01T02:30:00Z'), firstResponseAt: at('2026-12-01T02:31:00Z') })).toBe(false);
    expect(answeredInTime({ dueAt: at('2026-12-01T02:30:00Z'), firstResponseAt: null })).toBeNull();
  });
});

describe('the staff queue order', () => {
  it('puts overdue cases first, then waiting ones by due time, then answered ones', () => {
    const now = at('2026-12-01T03:00:00Z');
    const entry = (id: number, status: QueueEntry['status'], due: string, answered: string | null = null): QueueEntry => ({
      id,
      status,
      dueAt: at(due),
      firstResponseAt: answered ? at(answered) : null,
    });
    const cases = [
      entry(1, 'responded', '2026-12-01T02:00:00Z', '2026-12-01T01:50:00Z'),
      entry(2, 'open', '2026-12-01T03:30:00Z'),
      entry(3, 'open', '2026-12-01T02:59:00Z'),
      entry(4, 'open', '2026-12-01T03:10:00Z'),
      entry(5, 'open', '2026-12-01T01:00:00Z'),
    ];
    expect(cases.sort((a, b) => compareFeedbackQueue(a, b, now)).map((c) => c.id)).toEqual([5, 3, 4, 2, 1]);
  });
});

describe('goodwill limits', () => {
  const limits = { clerk: { maxPoints: 500, maxCouponFaceFen: 2000 }, admin: { maxPoints: 50000, maxCouponFaceFen: 50000 } };
  it('lets each role give up to its own limit, and nothing without one', () => {
    expect(goodwillWithinLimit('clerk', { kind: 'points', points: 500 }, limits)).toBe(true);
    expect(goodwillWithinLimit('clerk', { kind: 'points', points: 501 }, limits)).toBe(false);
    expect(goodwillWithinLimit('clerk', { kind: 'points', points: 0 }, limits)).toBe(false);
    expect(goodwillWithinLimit('clerk', { kind: 'coupon', faceFen: 2000 }, limits)).toBe(true);
    expect(goodwillWithinLimit('clerk', { kind: 'coupon', faceFen: 2001 }, limits)).toBe(false);
    expect(goodwillWithinLimit('admin', { kind: 'coupon', faceFen: 2001 }, limits)).toBe(true);
    expect(goodwillWithinLimit('store_manager', { kind: 'points', points: 1 }, limits)).toBe(false);
  });

  it('values a coupon by its money off; an uncapped percentage coupon is never within a limit', () => {
    expect(couponFaceFen({ kind: 'no_threshold', valueFen: 1000, capFen: null })).toBe(1000);
    expect(couponFaceFen({ kind: 'percent_off', valueFen: null, capFen: 3000 })).toBe(3000);
    expect(
      goodwillWithinLimit(
        'admin',
        { kind: 'coupon', faceFen: couponFaceFen({ kind: 'percent_off', valueFen: null, capFen: null }) },
        limits,
      ),
    ).toBe(false);
    expect(couponFaceFen({ kind: 'gift', valueFen: null, capFen: null })).toBe(0);
  });

  it('limits a manual adjustment either way, never zero', () => {
    expect(pointsAdjustmentWithinLimit(-1000, 1000)).toBe(true);
    expect(pointsAdjustmentWithinLimit(1001, 1000)).toBe(false);
    expect(pointsAdjustmentWithinLimit(0, 1000)).toBe(false);
    expect(pointsAdjustmentWithinLimit(1.5, 1000)).toBe(false);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
