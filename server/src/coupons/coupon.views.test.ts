import { templateRequest } from '../testing/coupon-fixtures';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { toCouponView } from './coupon.views';

const TZ = 'Asia/Shanghai';

const template = Object.assign(new CouponTemplate(), { id: 1, description: null, ...templateRequest(new Date()).terms, name: '满200减20' });

function couponAt(id: number, claimedAt: Date): Coupon {
  return Object.assign(new Coupon(), {
    id,
    templateId: 1,
    memberId: id,
    seq: 1,
    code: `9${String(id).padStart(15, '0')}`,
    status: 'available',
    validFrom: claimedAt,
    validUntil: new Date(claimedAt.getTime() + 7 * 86_400_000),
    idempotencyKey: null,
    claimedAt,
    redeemedAt: null,
  });
}

describe('a coupon view’s instants', () => {
  it('are each coupon’s own, however many instants were formatted before (the formatted strings are remembered)', () => {
    const start = Date.parse('2026-12-07T02:00:00Z');
    // More distinct instants than are remembered at once, each asked twice, and a Date changed in place.
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 1500; i++) {
        const at = new Date(start + i * 1000 + round * 999);
        const view = toCouponView(couponAt(i, at), template, at, TZ);
        expect(view.claimedAt).toBe(at.toISOString());
        expect(view.validFrom).toBe(at.toISOString());
        expect(view.validUntil).toBe(new Date(at.getTime() + 7 * 86_400_000).toISOString());
      }
    const moving = new Date(start);
    const coupon = couponAt(1, moving);
    expect(toCouponView(coupon, template, moving, TZ).claimedAt).toBe('2026-12-07T02:00:00.000Z');
    moving.setTime(start + 60_000);
    expect(toCouponView(coupon, template, moving, TZ).claimedAt).toBe('2026-12-07T02:01:00.000Z');
  });

  it('still refuses an invalid instant as toISOString does', () => {
    const at = new Date(Number.NaN);
    expect(() => toCouponView(couponAt(1, at), template, new Date(), TZ)).toThrow(RangeError);
  });
});
