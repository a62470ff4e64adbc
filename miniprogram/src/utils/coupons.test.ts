import { describe, expect, it } from '@jest/globals';
import type { CouponTerms } from '@member/shared';
import { couponStub, expiryBadge, parseCount, parseZheToPermille } from './coupons';
import { businessDate, businessDateTime, businessInstant } from './dates';

const terms = (patch: Partial<CouponTerms>): CouponTerms => ({
  kind: 'cash_off',
  valueFen: 2000,
  thresholdFen: 20000,
  percentPermille: null,
  capFen: null,
  giftName: null,
  stacksWithMemberDiscount: false,
  ...patch,
});

describe('how coupons read', () => {
  it('draws the stub figure and its condition per kind', () => {
    expect(couponStub(terms({}))).toEqual({ prefix: '¥', value: '20', suffix: '', condition: '满200可用' });
    expect(couponStub(terms({ kind: 'no_threshold', valueFen: 550, thresholdFen: 0 }))).toMatchObject({
      value: '5.50',
      condition: '无门槛',
    });
    expect(couponStub(terms({ kind: 'percent_off', valueFen: null, percentPermille: 850, capFen: 3000, thresholdFen: 0 }))).toMatchObject({
      value: '8.5',
      suffix: '折',
      condition: '最高减30',
    });
    expect(couponStub(terms({ kind: 'gift', valueFen: null, giftName: '帆布袋', thresholdFen: 0 }))).toMatchObject({
      value: '赠',
      condition: '到店即赠',
    });
  });

  it('badges only the last days of a usable coupon', () => {
    expect([null, 0, 1, 2, 3, 4].map((days) => expiryBadge(days))).toEqual([null, null, '今天过期', '明天过期', '2天后过期', null]);
    // A chain that badges a week ahead (config coupons.expiringSoonDays 7, passed in the public config).
    expect([5, 7, 8].map((days) => expiryBadge(days, 7))).toEqual(['4天后过期', '6天后过期', null]);
    expect(expiryBadge(2, 0)).toBeNull();
  });

  it('reads 折 and counts as people type them', () => {
    expect(['8.5', '9', '0.01', '9.99', '10', '0', '8.555', 'abc'].map(parseZheToPermille)).toEqual([
      850,
      900,
      1,
      999,
      null,
      null,
      null,
      null,
    ]);
    expect(['1', ' 20 ', '0', '101', '1.5', '', '-1'].map((t) => parseCount(t, 1, 100))).toEqual([1, 20, null, null, null, null, null]);
  });
});

describe('the business calendar (Asia/Shanghai) whatever the device zone', () => {
  it('shows instants on the Shanghai calendar', () => {
    expect(businessDate('2026-12-31T15:59:59Z')).toBe('2026-12-31');
    expect(businessDate('2026-12-31T16:00:00Z')).toBe('2027-01-01');
    expect(businessDateTime('2026-12-31T15:59:59Z')).toBe('2026-12-31 23:59');
  });

  it('turns a business date and time into the UTC instant, refusing nonsense', () => {
    expect(businessInstant('2026-03-01', '00:00')).toBe('2026-02-28T16:00:00.000Z');
    expect(businessInstant('2026-02-29')).toBeNull();
    expect(businessInstant('2026-01-01', '24:00')).toBeNull();
  });
});
