import { MemberCardService } from '../members/member-card.service';
import { Member } from '../members/member.entity';
import { TEST_DATABASES } from '../testing/databases';
import { codeOf, joinedMembersSpec, keyMaker } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { ClaimService } from './claim.service';
import { CouponExpiryJob } from './coupon-expiry.job';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { templateRequest } from '../testing/coupon-fixtures';
import { RedemptionService } from './redemption.service';
import { TemplatesService } from './templates.service';
import { WalletService } from './wallet.service';
import { JobScheduler } from '../jobs/job-scheduler';

const START = '2026-11-23T02:00:00Z'; // 10:00 in Shanghai
const key = keyMaker('test-key');

describe.each(TEST_DATABASES)('coupons on %s', (kind) => {
  const { start, member } = joinedMembersSpec(kind, 'm', 700, '2026-11-20T00:00:00Z');
  let t: TestApp;
  let templates: TemplatesService;
  let claims: ClaimService;
  let wallet: WalletService;
  let redemptions: RedemptionService;

  beforeAll(async () => {
    t = await start();
    templates = t.app.get(TemplatesService);
    claims = t.app.get(ClaimService);
    wallet = t.app.get(WalletService);
    redemptions = t.app.get(RedemptionService);
  });
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  beforeEach(() => t.clock.set(START));

  it('claims a coupon into the wallet, valid until 23:59:59 Shanghai of the 7th day, and counts it on the card', async () => {
    const template = await templates.create(templateRequest(t.clock.now()));
    const me = member();
    const coupon = await claims.claim(me, template.id, key());
    expect(coupon).toMatchObject({ status: 'available', validUntil: '2026-11-29T15:59:59.000Z', daysLeft: 7, name: '满200减20' });
    expect(coupon.code).toMatch(/^9\d{15}$/);
    expect((await wallet.wallet(me, 'usable')).coupons.map((c) => c.id)).toEqual([coupon.id]);
    expect((await t.app.get(MemberCardService).getCard(me)).couponCount).toBe(1);
    expect((await templates.get(template.id)).claimedCount).toBe(1);
  });

  it('a fixed-window coupon claimed early is not yet valid (by the server clock) until its window opens', async () => {
    const template = await templates.create(
      templateRequest(t.clock.now(), {
        validity: { type: 'fixed', validFrom: '2026-11-24T16:00:00Z', validUntil: '2026-11-30T15:59:59Z' },
      }),
    );
    const me = member();
    const coupon = await claims.claim(me, template.id, key());
    expect(coupon).toMatchObject({ status: 'available', notYetValid: true });
    expect(await redemptions.preview({ code: coupon.code, orderAmountFen: 30000 })).toMatchObject({
      applicable: false,
      reason: 'COUPON_NOT_YET_VALID',
    });
    t.clock.set('2026-11-24T16:00:00Z'); // 00:00 on the 25th in Shanghai
    expect(await wallet.detail(me, coupon.id)).toMatchObject({ notYetValid: false, daysLeft: 6 });
    expect(await redemptions.preview({ code: coupon.code, orderAmountFen: 30000 })).toMatchObject({ applicable: true, discountFen: 2000 });
  });

  it('answers a retried claim (same key) with the same coupon, and refuses the key for another template', async () => {
    const a = await templates.create(templateRequest(t.clock.now(), { perMemberLimit: 3 }));
    const b = await templates.create(templateRequest(t.clock.now()));
    const me = member();
    const k = key();
    const first = await claims.claim(me, a.id, k);
    const again = await claims.claim(me, a.id, k);
    expect(again.id).toBe(first.id);
    expect((await templates.get(a.id)).claimedCount).toBe(1);
    expect(codeOf(await claims.claim(me, b.id, k).catch((e) => e))).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('enforces the per-member limit, the stock, pauses, the claim window, the audience and joining', async () => {
    const limited = await templates.create(templateRequest(t.clock.now(), { perMemberLimit: 2, totalStock: 3 }));
    const me = member();
    await claims.claim(me, limited.id, key());
    await claims.claim(me, limited.id, key());
    expect(codeOf(await claims.claim(me, limited.id, key()).catch((e) => e))).toBe('COUPON_LIMIT_REACHED');
    await claims.claim(member(), limited.id, key());
    expect(codeOf(await claims.claim(member(), limited.id, key()).catch((e) => e))).toBe('COUPON_OUT_OF_STOCK');

    const paused = await templates.create(templateRequest(t.clock.now()));
    await templates.setStatus(paused.id, 'paused');
    expect(codeOf(await claims.claim(member(), paused.id, key()).catch((e) => e))).toBe('COUPON_TEMPLATE_PAUSED');
    await templates.setStatus(paused.id, 'active');
    await expect(claims.claim(member(), paused.id, key())).resolves.toMatchObject({ status: 'available' });

    const later = await templates.create(
      templateRequest(t.clock.now(), { claimStartsAt: '2026-11-24T02:00:00Z', claimEndsAt: '2026-11-25T02:00:00Z' }),
    );
    expect(codeOf(await claims.claim(member(), later.id, key()).catch((e) => e))).toBe('COUPON_CLAIM_NOT_STARTED');
    t.clock.set('2026-11-25T02:00:01Z');
    expect(codeOf(await claims.claim(member(), later.id, key()).catch((e) => e))).toBe('COUPON_CLAIM_ENDED');
    t.clock.set(START);
    // A fixed validity that ended inside the claim window (made without the console's check): no expired coupon.
    const lapsed = await templates.create(
      templateRequest(t.clock.now(), {
        validity: { type: 'fixed', validFrom: '2026-11-01T00:00:00Z', validUntil: '2026-11-23T01:00:00Z' },
      }),
    );
    expect(codeOf(await claims.claim(member(), lapsed.id, key()).catch((e) => e))).toBe('COUPON_CLAIM_ENDED');
    expect((await claims.claimCentre(member())).find((e) => e.template.id === lapsed.id)).toMatchObject({
      canClaim: false,
      blockedBy: 'COUPON_CLAIM_ENDED',
    });

    const goldOnly = await templates.create(templateRequest(t.clock.now(), { audience: 'tiers', audienceTiers: ['gold', 'diamond'] }));
    // A tier named more than once is kept once: ten of them overflowed the column on MySQL (a 500 there).
    const repeated = await templates.create(
      templateRequest(t.clock.now(), { audience: 'tiers', audienceTiers: ['diamond', 'gold', ...Array<'diamond'>(8).fill('diamond')] }),
    );
    expect((await templates.get(repeated.id)).audienceTiers).toEqual(['diamond', 'gold']);
    expect(codeOf(await claims.claim(member(), goldOnly.id, key()).catch((e) => e))).toBe('COUPON_NOT_ELIGIBLE');
    const gold = member();
    await t.db.dataSource.getRepository(Member).update({ id: gold }, { tier: 'gold' });
    await expect(claims.claim(gold, goldOnly.id, key())).resolves.toMatchObject({ status: 'available' });

    const [notJoined] = await t.db.dataSource
      .getRepository(Member)
      .insert({ openid: `nj-${kind}` })
      .then((r) => r.identifiers.map((i) => i.id as number));
    expect(codeOf(await claims.claim(notJoined, goldOnly.id, key()).catch((e) => e))).toBe('MEMBER_NOT_JOINED');
    expect(codeOf(await claims.claim(member(), 999999, key()).catch((e) => e))).toBe('COUPON_TEMPLATE_NOT_FOUND');
  });

  it('shows the claim centre with the reason a member may not claim', async () => {
    const me = member();
    const soldOut = await templates.create(templateRequest(t.clock.now(), { name: '售罄券', totalStock: 1 }));
    await claims.claim(member(), soldOut.id, key());
    const once = await templates.create(templateRequest(t.clock.now(), { name: '限领券' }));
    await claims.claim(me, once.id, key());
    const gold = await templates.create(
      templateRequest(t.clock.now(), { name: '金卡券', audience: 'tiers', audienceTiers: ['gold', 'diamond'] }),
    );
    const centre = await claims.claimCentre(me);
    const entry = (id: number) => centre.find((e) => e.template.id === id)!;
    expect(entry(soldOut.id)).toMatchObject({
      canClaim: false,
      blockedBy: 'COUPON_OUT_OF_STOCK',
      blockedText: '已领完',
      remainingStock: 0,
    });
    expect(entry(once.id)).toMatchObject({
      canClaim: false,
      blockedBy: 'COUPON_LIMIT_REACHED',
      claimedByMe: 1,
      blockedText: '已领取（每人限领 1 张）',
    });
    expect(entry(gold.id)).toMatchObject({ canClaim: false, blockedText: '仅金卡及以上' });
  });

  it('lists the wallet by tab, soonest to expire first, and moves coupons between tabs', async () => {
    const me = member();
    const long = await templates.create(templateRequest(t.clock.now(), { name: '长期券', validity: { type: 'relative', validDays: 30 } }));
    const short = await templates.create(templateRequest(t.clock.now(), { name: '短期券', validity: { type: 'relative', validDays: 2 } }));
    const c1 = await claims.claim(me, long.id, key());
    const c2 = await claims.claim(me, short.id, key());
    expect((await wallet.wallet(me, 'usable')).coupons.map((c) => c.id)).toEqual([c2.id, c1.id]);
    await redemptions.redeem({ code: c1.code, orderAmountFen: 30000 }, 'o-clerk');
    t.clock.set('2026-11-24T16:00:00Z'); // 00:00 on the 25th in Shanghai: the 2-day coupon has just expired
    const usable = await wallet.wallet(me, 'usable');
    expect(usable.coupons).toEqual([]);
    expect(usable.counts).toEqual({ usable: 0, held: 0, used: 1, expired: 1 });
    expect((await wallet.wallet(me, 'used')).coupons.map((c) => c.id)).toEqual([c1.id]);
    expect((await wallet.wallet(me, 'expired')).coupons.map((c) => [c.id, c.status])).toEqual([[c2.id, 'expired']]);
    expect(codeOf(await wallet.detail(member(), c1.id).catch((e) => e))).toBe('COUPON_NOT_FOUND');
  });

  it('honours validity to the second in Asia/Shanghai: redeemable at 23:59:59, expired at 00:00:00', async () => {
    const oneDay = await templates.create(templateRequest(t.clock.now(), { validity: { type: 'relative', validDays: 1 } }));
    const a = await claims.claim(member(), oneDay.id, key());
    const b = await claims.claim(member(), oneDay.id, key());
    t.clock.set('2026-11-23T15:59:59.900Z'); // 23:59:59.9 Shanghai
    expect((await redemptions.preview({ code: a.code, orderAmountFen: 20000 })).applicable).toBe(true);
    await expect(redemptions.redeem({ code: a.code, orderAmountFen: 20000 }, 'o-clerk')).resolves.toMatchObject({ discountFen: 2000 });
    t.clock.set('2026-11-23T16:00:00.000Z'); // 00:00:00 Shanghai
    expect(await redemptions.preview({ code: b.code, orderAmountFen: 20000 })).toMatchObject({
      applicable: false,
      reason: 'COUPON_EXPIRED',
    });
    expect(codeOf(await redemptions.redeem({ code: b.code, orderAmountFen: 20000 }, 'o-clerk').catch((e) => e))).toBe('COUPON_EXPIRED');
  });

  it('previews, redeems once, refuses other members and low orders, and reverses a refund', async () => {
    const template = await templates.create(templateRequest(t.clock.now()));
    const owner = member();
    const coupon = await claims.claim(owner, template.id, key());
    expect(await redemptions.preview({ code: coupon.code, orderAmountFen: 19999 })).toMatchObject({
      applicable: false,
      reason: 'COUPON_BELOW_THRESHOLD',
      discountFen: 0,
      payableFen: 19999,
    });
    expect(await redemptions.preview({ code: coupon.code, orderAmountFen: 30000, memberId: owner + 1 })).toMatchObject({
      applicable: false,
      reason: 'COUPON_OTHER_MEMBER',
    });
    expect(codeOf(await redemptions.redeem({ code: coupon.code, orderAmountFen: 19999 }, 'o-clerk').catch((e) => e))).toBe(
      'COUPON_BELOW_THRESHOLD',
    );
    expect(codeOf(await redemptions.preview({ code: '9000000000000000', orderAmountFen: 30000 }).catch((e) => e))).toBe('COUPON_NOT_FOUND');

    const redeemed = await redemptions.redeem(
      { code: coupon.code, orderAmountFen: 30000, memberId: owner, idempotencyKey: 'till-1-order-1' },
      'o-clerk',
    );
    expect(redeemed).toMatchObject({ discountFen: 2000, payableFen: 28000, coupon: { status: 'redeemed' } });
    const retried = await redemptions.redeem(
      { code: coupon.code, orderAmountFen: 30000, memberId: owner, idempotencyKey: 'till-1-order-1' },
      'o-clerk',
    );
    expect(retried.redemptionId).toBe(redeemed.redemptionId);
    expect(codeOf(await redemptions.redeem({ code: coupon.code, orderAmountFen: 30000 }, 'o-clerk').catch((e) => e))).toBe(
      'COUPON_ALREADY_REDEEMED',
    );
    expect((await templates.get(template.id)).redeemedCount).toBe(1);

    const reversed = await redemptions.reverse(redeemed.redemptionId);
    expect(reversed).toMatchObject({ restored: true, coupon: { status: 'available' } });
    expect(codeOf(await redemptions.reverse(redeemed.redemptionId).catch((e) => e))).toBe('REDEMPTION_ALREADY_REVERSED');
    expect((await templates.get(template.id)).redeemedCount).toBe(0);
    const again = await redemptions.redeem({ code: coupon.code, orderAmountFen: 30000 }, 'o-clerk');
    t.clock.set('2026-12-01T00:00:00Z'); // after its 7 days
    expect(await redemptions.reverse(again.redemptionId)).toMatchObject({ restored: false, coupon: { status: 'expired' } });
  });

  it('expires ended coupons in the sweep, once per period across instances', async () => {
    const short = await templates.create(
      templateRequest(t.clock.now(), { validity: { type: 'relative', validDays: 1 }, totalStock: 5, perMemberLimit: 1 }),
    );
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await claims.claim(member(), short.id, key())).id);
    const job = t.app.get(CouponExpiryJob);
    t.clock.set('2026-11-23T15:59:59Z');
    expect(await job.sweep(t.clock.now())).toBe(0);
    t.clock.set('2026-11-23T16:00:00Z');
    const scheduler = t.app.get(JobScheduler);
    const [first, second] = await Promise.all([scheduler.runScheduled('coupon-expiry'), scheduler.runScheduled('coupon-expiry')]);
    expect([first, second].filter((outcome) => outcome === null)).toHaveLength(1);
    const statuses = await t.db.dataSource.getRepository(Coupon).findBy(ids.map((id) => ({ id })));
    expect(statuses.every((c) => c.status === 'expired')).toBe(true);
    expect(await job.sweep(t.clock.now())).toBe(0);
  });

  describe('under concurrency', () => {
    it('never oversells: 500 members claim stock 100 at once → exactly 100 coupons', async () => {
      const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 100 }));
      const claimants = Array.from({ length: 500 }, () => member());
      const results = await Promise.allSettled(claimants.map((m) => claims.claim(m, template.id, key())));
      const won = results.filter((r) => r.status === 'fulfilled').length;
      const reasons = new Set(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason)));
      expect(won).toBe(100);
      expect([...reasons]).toEqual(['COUPON_OUT_OF_STOCK']);
      expect(await t.db.dataSource.getRepository(Coupon).countBy({ templateId: template.id })).toBe(100);
      expect((await t.db.dataSource.getRepository(CouponTemplate).findOneByOrFail({ id: template.id })).claimedCount).toBe(100);
    });

    it('never exceeds a member’s limit: 20 parallel taps with limit 1 → exactly 1', async () => {
      const template = await templates.create(templateRequest(t.clock.now()));
      const me = member();
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => claims.claim(me, template.id, key())));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(new Set(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason)))).toEqual(
        new Set(['COUPON_LIMIT_REACHED']),
      );
      expect(await t.db.dataSource.getRepository(Coupon).countBy({ templateId: template.id, memberId: me })).toBe(1);
      expect((await templates.get(template.id)).claimedCount).toBe(1);
    });

    it('redeems a coupon at most once: 20 parallel redeems → 1 success, 19 COUPON_ALREADY_REDEEMED', async () => {
      const template = await templates.create(templateRequest(t.clock.now()));
      const coupon = await claims.claim(member(), template.id, key());
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => redemptions.redeem({ code: coupon.code, orderAmountFen: 30000 }, `o-clerk-${i}`)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failures = results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason));
      expect(failures).toEqual(Array(19).fill('COUPON_ALREADY_REDEEMED'));
      expect((await templates.get(template.id)).redeemedCount).toBe(1);
    });
  });
});
