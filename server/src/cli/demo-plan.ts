// What the demo's first start puts in the store: who the sample members are, when they joined and what they
// bought. Pure data from a fixed seed and "now", so every fresh demo looks alike and this file is testable
// without a server; demo-seed.ts plays it through the server's own API.
import type { CreateCouponTemplateRequest } from '@member/shared';

export const DAY_MS = 86_400_000;

/** How a sample member shops; the mix gives the audience page every RFM segment and every tier. */
export type ShopperKind = 'vip' | 'regular' | 'occasional' | 'faded' | 'newcomer' | 'browser';

export interface DemoMember {
  user: string;
  nickname: string;
  phone: string;
  kind: ShopperKind;
  joinedDaysAgo: number;
  /** YYYY-MM-DD, or null for a member who never set one. */
  birthday: string | null;
  /** Allows 优惠券到账提醒 once when joining (so the campaign's message reaches them). */
  subscribes: boolean;
  /** Claims 满200减20 on joining and uses it on a purchase two days later. */
  claimsWelcomeCoupon: boolean;
}

export interface DemoPurchase {
  user: string;
  daysAgo: number;
  /** Minutes after 10:00 Shanghai on that day (the shops' hours). */
  minute: number;
  amountFen: number;
  storeCode: string;
  /** Burn points (as many as allowed, in hundreds) when the member has at least 500. */
  burnPoints: boolean;
  /** Refunded a day later: 'full' or 'part' (a third). */
  refund: 'full' | 'part' | null;
  useWelcomeCoupon: boolean;
}

/** mulberry32: a small deterministic generator, so the demo is the same on every fresh start. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SURNAMES = ['林', '陈', '王', '张', '李', '周', '吴', '赵', '孙', '徐', '何', '郭', '马', '罗', '高', '梁'];
const GIVEN = ['小满', '一诺', '子涵', '若溪', '思远', '欣怡', '浩然', '雨桐', '嘉怡', '晨曦', '梓萱', '俊杰', '安然', '书瑶', '明轩'];
const STORES = ['S001', 'S001', 'S002', 'S003'];

/** The kinds in the mix, with how many of each (44 in all, 36 of whom buy). */
const MIX: Array<[ShopperKind, number]> = [
  ['vip', 3],
  ['regular', 10],
  ['occasional', 12],
  ['faded', 6],
  ['newcomer', 5],
  ['browser', 8],
];

/** [fewest, most] purchases, [smallest, largest] amount in yuan, and how many days ago they may fall. */
const SHOPPING: Record<ShopperKind, { visits: [number, number]; yuan: [number, number]; window: [number, number] }> = {
  vip: { visits: [8, 12], yuan: [1200, 6800], window: [0, 88] },
  regular: { visits: [5, 9], yuan: [60, 520], window: [0, 85] },
  occasional: { visits: [1, 3], yuan: [40, 380], window: [5, 80] },
  faded: { visits: [1, 3], yuan: [50, 300], window: [62, 90] },
  newcomer: { visits: [1, 2], yuan: [45, 260], window: [0, 9] },
  browser: { visits: [0, 0], yuan: [0, 0], window: [0, 0] },
};

/**
 * The members and their purchases, relative to `now` (days ago). `birthdayMonth` (1…12, this month in
 * Shanghai) is given to a few members so 生日 filters and the birthday campaign have someone to find.
 */
export function demoPlan(birthdayMonth: number): { members: DemoMember[]; purchases: DemoPurchase[] } {
  const random = generator(16);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const members: DemoMember[] = [];
  const purchases: DemoPurchase[] = [];
  let n = 0;
  for (const [kind, count] of MIX) {
    for (let i = 0; i < count; i++, n++) {
      const shopping = SHOPPING[kind];
      // Everyone joined before their first purchase; newcomers within the last ten days.
      const joinedDaysAgo = kind === 'newcomer' ? between(2, 10) : between(Math.max(shopping.window[1] + 1, 30), 95);
      const month = n % 7 === 0 ? birthdayMonth : between(1, 12);
      const member: DemoMember = {
        user: `demo-${String(n + 1).padStart(2, '0')}`,
        nickname: `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n * 7) % GIVEN.length]}`,
        phone: `1390000${String(1000 + n * 37).padStart(4, '0')}`,
        kind,
        joinedDaysAgo,
        birthday:
          n % 5 === 4 ? null : `${between(1975, 2004)}-${String(month).padStart(2, '0')}-${String(between(1, 28)).padStart(2, '0')}`,
        subscribes: n % 3 === 0,
        claimsWelcomeCoupon: kind !== 'browser' && kind !== 'faded' && n % 2 === 0,
      };
      members.push(member);
      const visits = between(...shopping.visits);
      const latest = Math.min(joinedDaysAgo - 1, shopping.window[1]);
      for (let v = 0; v < visits; v++) {
        purchases.push({
          user: member.user,
          daysAgo: between(shopping.window[0], Math.max(shopping.window[0], latest)),
          minute: between(0, 600),
          amountFen: between(...shopping.yuan) * 100 + (random() < 0.5 ? 0 : between(1, 99)),
          storeCode: STORES[between(0, STORES.length - 1)],
          burnPoints: (kind === 'vip' || kind === 'regular') && v === visits - 1,
          refund: null,
          useWelcomeCoupon: false,
        });
      }
      if (member.claimsWelcomeCoupon) {
        // The welcome coupon (满200减20, valid 7 days) is used two days after joining, on a ¥200+ order.
        const daysAgo = Math.max(0, joinedDaysAgo - 2);
        purchases.push({ ...blank(member.user, daysAgo, between(0, 600)), amountFen: between(210, 480) * 100, useWelcomeCoupon: true });
      }
    }
  }
  // One diamond: a wedding banquet's worth at the flagship store, big enough for 钻石 (¥50,000 in 12 months).
  purchases.push({ ...blank(members[0].user, 40, 180), amountFen: 4_888_800, storeCode: 'S001' });
  // … who comes back as diamond: this sale is priced at the member price (会员价 8.5折) in the sales and 我的订单.
  purchases.push({ ...blank(members[0].user, 12, 300), amountFen: 68_000, storeCode: 'S001' });
  // Two refunds among the regulars' plain purchases: one whole, one a third.
  const plain = purchases.filter((p) => members.find((m) => m.user === p.user)?.kind === 'regular' && !p.burnPoints && !p.useWelcomeCoupon);
  if (plain[0]) plain[0].refund = 'full';
  if (plain[3]) plain[3].refund = 'part';
  return { members, purchases };
}

function blank(user: string, daysAgo: number, minute: number): DemoPurchase {
  return { user, daysAgo, minute, amountFen: 0, storeCode: 'S001', burnPoints: false, refund: null, useWelcomeCoupon: false };
}

/** The three coupons the claim centre always showed on a fresh demo (claimable from `at` for 90 days). */
export function sampleCoupons(at: number): CreateCouponTemplateRequest[] {
  const claimWindow = { claimStartsAt: new Date(at - DAY_MS).toISOString(), claimEndsAt: new Date(at + 180 * DAY_MS).toISOString() };
  const noCap = { percentPermille: null, capFen: null, giftName: null };
  return [
    {
      name: '会员专享满减券',
      terms: { kind: 'cash_off', valueFen: 2000, thresholdFen: 20000, ...noCap, stacksWithMemberDiscount: false },
      totalStock: 1000,
      perMemberLimit: 1,
      validity: { type: 'relative', validDays: 7 },
      audience: 'all',
      ...claimWindow,
    },
    {
      name: '新人见面礼',
      terms: { kind: 'no_threshold', valueFen: 500, thresholdFen: 0, ...noCap, stacksWithMemberDiscount: true },
      totalStock: 500,
      perMemberLimit: 1,
      validity: { type: 'relative', validDays: 3 },
      audience: 'new_members',
      ...claimWindow,
    },
    {
      name: '金卡专享折扣',
      terms: {
        kind: 'percent_off',
        valueFen: null,
        thresholdFen: 0,
        percentPermille: 850,
        capFen: 5000,
        giftName: null,
        stacksWithMemberDiscount: false,
      },
      totalStock: 200,
      perMemberLimit: 2,
      validity: { type: 'relative', validDays: 30 },
      audience: 'tiers',
      audienceTiers: ['gold', 'diamond'],
      ...claimWindow,
    },
  ];
}

/** Coupons sold for points in the points shop (积分商城). */
export function pointsShopItems(at: number): CreateCouponTemplateRequest[] {
  const claimWindow = { claimStartsAt: new Date(at - DAY_MS).toISOString(), claimEndsAt: new Date(at + 365 * DAY_MS).toISOString() };
  const base = { percentPermille: null, capFen: null, stacksWithMemberDiscount: false };
  return [
    {
      name: '10元无门槛券',
      terms: { kind: 'no_threshold', valueFen: 1000, thresholdFen: 0, giftName: null, ...base },
      totalStock: 500,
      perMemberLimit: 5,
      validity: { type: 'relative', validDays: 30 },
      audience: 'all',
      pointsPrice: 1000,
      ...claimWindow,
    },
    {
      name: '满300减50',
      terms: { kind: 'cash_off', valueFen: 5000, thresholdFen: 30000, giftName: null, ...base },
      totalStock: 300,
      perMemberLimit: 3,
      validity: { type: 'relative', validDays: 30 },
      audience: 'all',
      pointsPrice: 3000,
      ...claimWindow,
    },
    {
      name: '品牌帆布袋',
      terms: { kind: 'gift', valueFen: null, thresholdFen: 0, giftName: '品牌帆布袋', ...base },
      totalStock: 100,
      perMemberLimit: 1,
      validity: { type: 'relative', validDays: 60 },
      audience: 'all',
      pointsPrice: 2000,
      ...claimWindow,
    },
  ];
}
