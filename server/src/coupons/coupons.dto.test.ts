import { templateRequest } from '../testing/coupon-fixtures';
import { createTemplateBody } from './coupons.dto';

/** A valid template request (fixed validity over December), changed by `change`; the problems' paths (none: accepted). */
function problemsOf(change: (body: Record<string, unknown>) => void): string[] {
  const body: Record<string, unknown> = {
    ...templateRequest(new Date('2026-12-01T00:00:00+08:00')),
    validity: { type: 'fixed', validFrom: '2026-12-01T00:00:00+08:00', validUntil: '2026-12-31T23:59:59+08:00' },
    claimStartsAt: '2026-12-01T00:00:00+08:00',
    claimEndsAt: '2026-12-20T00:00:00+08:00',
  };
  change(body);
  const result = createTemplateBody.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('coupon template requests', () => {
  it('accepts a fixed validity that covers the claim window', () => {
    expect(problemsOf(() => undefined)).toEqual([]);
  });

  it('compares validity instants, not their text: offsets may differ', () => {
    // 07:59:59+08:00 is 23:59:59Z the day before: one second before the start, though later as text.
    const endsBeforeStart = { type: 'fixed', validFrom: '2026-12-01T00:00:00Z', validUntil: '2026-12-01T07:59:59+08:00' };
    expect(problemsOf((b) => ((b.validity = endsBeforeStart), (b.claimEndsAt = '2026-11-30T23:00:00Z')))).toEqual(['validity.validUntil']);
    // 17:00Z is 01:00+08:00 the next day: after the start, though earlier as text.
    const endsAfterStart = { type: 'fixed', validFrom: '2026-12-01T00:00:00+08:00', validUntil: '2026-11-30T17:00:00Z' };
    expect(problemsOf((b) => ((b.validity = endsAfterStart), (b.claimEndsAt = '2026-11-30T16:30:00Z')))).toEqual([]);
  });

  it('refuses a claim window that outlasts a fixed validity: such coupons would be claimed already expired', () => {
    expect(problemsOf((b) => (b.claimEndsAt = '2027-01-01T00:00:00+08:00'))).toEqual(['claimEndsAt']);
    // N days from claim: any window.
    expect(problemsOf((b) => ((b.validity = { type: 'relative', validDays: 7 }), (b.claimEndsAt = '2027-06-01T00:00:00+08:00')))).toEqual(
      [],
    );
  });
});
