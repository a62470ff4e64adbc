import { demoPlan, pointsShopItems, sampleCoupons } from './demo-plan';

describe('the demo store plan', () => {
  const plan = demoPlan(12);

  it('is the same on every fresh start', () => {
    expect(demoPlan(12)).toEqual(plan);
  });

  it('has 30–60 members with unique users and valid mainland phone numbers, every kind of shopper among them', () => {
    expect(plan.members.length).toBeGreaterThanOrEqual(30);
    expect(plan.members.length).toBeLessThanOrEqual(60);
    expect(new Set(plan.members.map((m) => m.user)).size).toBe(plan.members.length);
    expect(new Set(plan.members.map((m) => m.phone)).size).toBe(plan.members.length);
    for (const m of plan.members) expect(m.phone).toMatch(/^1[3-9]\d{9}$/);
    expect(new Set(plan.members.map((m) => m.kind))).toEqual(new Set(['vip', 'regular', 'occasional', 'faded', 'newcomer', 'browser']));
    // Enough buyers for RFM to rank them (segments.minimumScoredMembers defaults to 20).
    expect(new Set(plan.purchases.map((p) => p.user)).size).toBeGreaterThanOrEqual(30);
  });

  it('has birthdays this month, message subscribers, and members who never set a birthday', () => {
    expect(plan.members.filter((m) => m.birthday?.slice(5, 7) === '12').length).toBeGreaterThanOrEqual(3);
    expect(plan.members.filter((m) => m.subscribes).length).toBeGreaterThanOrEqual(5);
    expect(plan.members.some((m) => m.birthday === null)).toBe(true);
  });

  it('has every purchase after its member joined, within the last 97 days, and two refunds', () => {
    const joined = new Map(plan.members.map((m) => [m.user, m.joinedDaysAgo]));
    for (const p of plan.purchases) {
      expect({ p, after: p.daysAgo <= joined.get(p.user)! }).toEqual({ p, after: true });
      expect(p.daysAgo).toBeGreaterThanOrEqual(0);
      expect(p.amountFen).toBeGreaterThan(0);
    }
    for (const m of plan.members) expect(m.joinedDaysAgo).toBeLessThanOrEqual(97);
    expect(plan.purchases.filter((p) => p.refund).map((p) => p.refund)).toEqual(['full', 'part']);
    // The welcome coupon (满200减20, 7 days) is used on an order above its threshold within its validity.
    for (const p of plan.purchases.filter((x) => x.useWelcomeCoupon)) {
      expect(p.amountFen).toBeGreaterThanOrEqual(20_000);
      expect(joined.get(p.user)! - p.daysAgo).toBeLessThanOrEqual(7);
    }
  });

  it('sells its points-shop items for points and keeps the claim centre coupons free', () => {
    expect(pointsShopItems(0).every((t) => (t.pointsPrice ?? 0) > 0)).toBe(true);
    expect(sampleCoupons(0).every((t) => t.pointsPrice === undefined)).toBe(true);
  });
});
