import { testConfig } from '../testing/test-app';
import {
  claimBlockReason,
  claimBlockText,
  couponValidity,
  daysLeft,
  tierRequirementText,
  validityState,
  type ClaimSituation,
} from './coupon-rules';

const TZ = 'Asia/Shanghai';
const config = testConfig();

describe('coupon validity in the business calendar', () => {
  it('"7 days" from a claim at 10:00 Shanghai ends at 23:59:59 Shanghai of the 7th day', () => {
    const claimedAt = new Date('2026-11-23T02:00:00Z'); // 10:00 in Shanghai
    const { validFrom, validUntil } = couponValidity({ type: 'relative', validDays: 7 }, claimedAt, TZ);
    expect(validFrom).toEqual(claimedAt);
    expect(validUntil.toISOString()).toBe('2026-11-29T15:59:59.000Z'); // 2026-11-29 23:59:59 +08:00
  });

  it('a claim at 23:30 Shanghai still counts that day as day 1, though it is the previous day in UTC', () => {
    const claimedAt = new Date('2026-11-23T15:30:00Z'); // 23:30 Shanghai
    expect(couponValidity({ type: 'relative', validDays: 1 }, claimedAt, TZ).validUntil.toISOString()).toBe('2026-11-23T15:59:59.000Z');
    const justAfterMidnight = new Date('2026-11-23T16:00:30Z'); // 00:00:30 on the 24th in Shanghai
    expect(couponValidity({ type: 'relative', validDays: 1 }, justAfterMidnight, TZ).validUntil.toISOString()).toBe(
      '2026-11-24T15:59:59.000Z',
    );
  });

  it('is valid through the whole last second and expired at 00:00:00 local', () => {
    const from = new Date('2026-11-23T02:00:00Z');
    const until = new Date('2026-11-29T15:59:59Z');
    expect(validityState(new Date('2026-11-29T15:59:59.000Z'), from, until)).toBe('valid');
    expect(validityState(new Date('2026-11-29T15:59:59.999Z'), from, until)).toBe('valid');
    expect(validityState(new Date('2026-11-29T16:00:00.000Z'), from, until)).toBe('expired');
    expect(validityState(new Date('2026-11-23T01:59:59.999Z'), from, until)).toBe('not_yet_valid');
  });

  it('counts days left in the local calendar', () => {
    const until = new Date('2026-11-29T15:59:59Z');
    expect(daysLeft(new Date('2026-11-29T15:00:00Z'), until, TZ)).toBe(1);
    expect(daysLeft(new Date('2026-11-28T16:00:00Z'), until, TZ)).toBe(1); // 00:00 on the 29th local
    expect(daysLeft(new Date('2026-11-28T15:59:59Z'), until, TZ)).toBe(2);
    expect(daysLeft(new Date('2026-11-23T02:00:00Z'), until, TZ)).toBe(7);
  });
});

describe('who may claim', () => {
  const base: ClaimSituation = {
    now: new Date('2026-11-23T02:00:00Z'),
    template: {
      status: 'active',
      claimStartsAt: new Date('2026-11-01T00:00:00Z'),
      claimEndsAt: new Date('2026-12-01T00:00:00Z'),
      totalStock: 100,
      claimedCount: 10,
      perMemberLimit: 1,
      audience: 'all',
      audienceTiers: [],
      validUntil: null,
    },
    member: { joinedAt: new Date('2026-11-20T00:00:00Z'), tier: 'normal' },
    claimedByMe: 0,
    config,
  };
  const withTemplate = (t: Partial<ClaimSituation['template']>, rest: Partial<ClaimSituation> = {}): ClaimSituation => ({
    ...base,
    ...rest,
    template: { ...base.template, ...t },
  });

  it.each([
    ['may claim', base, null],
    ['not joined', { ...base, member: { joinedAt: null, tier: 'normal' as const } }, 'MEMBER_NOT_JOINED'],
    ['paused', withTemplate({ status: 'paused' }), 'COUPON_TEMPLATE_PAUSED'],
    ['before the window', withTemplate({ claimStartsAt: new Date('2026-11-24T00:00:00Z') }), 'COUPON_CLAIM_NOT_STARTED'],
    ['after the window', withTemplate({ claimEndsAt: new Date('2026-11-22T00:00:00Z') }), 'COUPON_CLAIM_ENDED'],
    // Within the claim window, but the fixed validity is over: the coupon would arrive expired.
    ['validity over', withTemplate({ validUntil: new Date('2026-11-23T01:59:59Z') }), 'COUPON_CLAIM_ENDED'],
    ['validity still on', withTemplate({ validUntil: new Date('2026-11-23T02:00:00Z') }), null],
    ['tier not allowed', withTemplate({ audience: 'tiers', audienceTiers: ['gold', 'diamond'] }), 'COUPON_NOT_ELIGIBLE'],
    ['tier allowed', withTemplate({ audience: 'tiers', audienceTiers: ['normal'] }), null],
    ['new member within 30 days', withTemplate({ audience: 'new_members' }), null],
    [
      'member for too long',
      withTemplate({ audience: 'new_members' }, { member: { joinedAt: new Date('2026-09-01T00:00:00Z'), tier: 'normal' } }),
      'COUPON_NEW_MEMBERS_ONLY',
    ],
    ['limit reached', { ...base, claimedByMe: 1 }, 'COUPON_LIMIT_REACHED'],
    ['out of stock', withTemplate({ claimedCount: 100 }), 'COUPON_OUT_OF_STOCK'],
  ])('%s', (_label, situation, reason) => expect(claimBlockReason(situation as ClaimSituation)).toBe(reason));

  it('says why in words a shopper understands', () => {
    expect(claimBlockText('COUPON_OUT_OF_STOCK', base, TZ)).toBe('已领完');
    expect(claimBlockText('COUPON_LIMIT_REACHED', base, TZ)).toBe('已领取（每人限领 1 张）');
    expect(claimBlockText('COUPON_LIMIT_REACHED', withTemplate({ perMemberLimit: 3 }), TZ)).toBe('每人限领 3 张');
    expect(claimBlockText('COUPON_CLAIM_NOT_STARTED', withTemplate({ claimStartsAt: new Date('2026-11-24T02:00:00Z') }), TZ)).toBe(
      '11月24日 10:00 开抢',
    );
    expect(tierRequirementText(['gold', 'diamond'], config.tiers)).toBe('仅金卡及以上');
    expect(tierRequirementText(['diamond'], config.tiers)).toBe('仅钻石会员');
    expect(tierRequirementText(['silver', 'diamond'], config.tiers)).toBe('仅银卡会员、钻石会员');
  });
});
