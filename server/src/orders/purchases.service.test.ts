import { In } from 'typeorm';
import { ClaimService } from '../coupons/claim.service';
import { Coupon } from '../coupons/coupon.entity';
import { TemplatesService } from '../coupons/templates.service';
import { MemberCardService } from '../members/member-card.service';
import { issueMemberCode } from '../members/member-code';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import type { TestApp } from '../testing/test-app';
import { codeOf } from '../testing/spec';
import { tillSpec } from '../testing/till-spec';
import { expectInvariants } from '../testing/invariants';
import { sqlDateValue } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { PointsExpiryJob } from '../points/points-expiry.job';
import { PointsLedger } from '../points/points-ledger';
import { PointsHistoryService } from '../points/points-history.service';
import { PurchasesService } from './purchases.service';

const START = '2026-11-23T02:00:00Z'; // Monday 10:00 in Shanghai, not a member day (8/18/28)

describe.each(TEST_DATABASES)('purchases and points on %s', (kind) => {
  const till = tillSpec(kind, 'purchase', 80);
  const { key, member, buy, balanceOf } = till;
  let t: TestApp;
  let purchases: PurchasesService;

  /** The ledger's invariant for every member: balance = Σ ledger deltas = Σ lot remainders, never negative. */
  async function expectLedgerConsistent(): Promise<void> {
    const broken = await t.db.dataSource.query(`
      SELECT m.id, m.points_balance,
             (SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l WHERE l.member_id = m.id) AS ledger,
             (SELECT COALESCE(SUM(p.remaining), 0) FROM points_lot p WHERE p.member_id = m.id) AS lots
        FROM member m
       WHERE m.points_balance < 0
          OR m.points_balance <> (SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l WHERE l.member_id = m.id)
          OR m.points_balance <> (SELECT COALESCE(SUM(p.remaining), 0) FROM points_lot p WHERE p.member_id = m.id)`);
    expect(broken).toEqual([]);
  }

  beforeAll(async () => {
    ({ t, purchases } = await till.start());
  });
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  beforeEach(() => t.clock.set(START));
  afterEach(() => expectLedgerConsistent());

  it('earns ¥1 = 1 point on what was paid, shows it on the card at once, and upgrades the tier at once', async () => {
    const me = member();
    const first = await buy(me, 150_050);
    expect(first).toMatchObject({
      paidFen: 150_050,
      pointsEarned: 1500,
      bonusPermille: 1000,
      member: { pointsBalance: 1500, tier: 'normal', spendFen: 150_050 },
    });
    const second = await buy(me, 60_000); // 12-month spend ¥2,100.50 ≥ ¥2,000: silver now
    expect(second.member).toMatchObject({ pointsBalance: 2100, tier: 'silver', spendFen: 210_050 });
    const card = await t.app.get(MemberCardService).getCard(me);
    expect(card).toMatchObject({
      pointsBalance: 2100,
      spendFen: 210_050,
      tier: { code: 'silver' },
      nextTier: { code: 'gold' },
      remainingToNextTierFen: 1_000_000 - 210_050,
    });
  });

  it('earns at the tier multiplier, doubled on a member day and in the birthday month, never quadrupled', async () => {
    const gold = member();
    await t.db.dataSource.query("UPDATE member SET tier = 'gold' WHERE id = ?", [gold]);
    expect((await buy(gold, 10_000)).pointsEarned).toBe(120);
    t.clock.set('2026-11-28T02:00:00Z'); // the 28th: member day
    expect((await buy(gold, 10_000)).pointsEarned).toBe(240);
    const birthdayInNovember = member();
    await t.db.dataSource.query(
      'UPDATE member SET birthday = ?, birthday_month = 11, birthday_day = 3, double_points_until = ? WHERE id = ?',
      ['1990-11-03', '2026-11-30 15:59:59', birthdayInNovember],
    );
    expect((await buy(birthdayInNovember, 10_000)).pointsEarned).toBe(200); // member day and birthday month: ×2, not ×4
    t.clock.set('2026-12-01T02:00:00Z');
    expect((await buy(birthdayInNovember, 10_000)).pointsEarned).toBe(100);
  });

  it('records a purchase once when the till resends it, even twenty times at once', async () => {
    const me = member();
    const k = key();
    const results = await Promise.all(Array.from({ length: 20 }, () => buy(me, 30_000, { idempotencyKey: k })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await balanceOf(me)).toBe(300);
    const [{ count }] = await t.db.dataSource.query('SELECT COUNT(*) AS count FROM purchase WHERE member_id = ?', [me]);
    expect(Number(count)).toBe(1);
  });

  it('pays with points (100 = ¥1) from the oldest lot first, within the limits, earning only on money paid', async () => {
    const me = member();
    t.clock.set('2026-01-10T02:00:00Z');
    await buy(me, 40_000); // 400 points, expire end of 2027
    t.clock.set('2026-06-10T02:00:00Z');
    await buy(me, 50_000); // 500 more, same expiry, later lot
    t.clock.set('2027-01-10T02:00:00Z');
    await buy(me, 30_000); // 300, expire end of 2028
    expect(await balanceOf(me)).toBe(1200);

    expect(codeOf(await buy(me, 30_000, { pointsToBurn: 99 }).catch((e) => e))).toBe('POINTS_BURN_TOO_SMALL');
    expect(codeOf(await buy(me, 30_000, { pointsToBurn: 15_001 }).catch((e) => e))).toBe('POINTS_BURN_TOO_LARGE');
    expect(codeOf(await buy(me, 300_000, { pointsToBurn: 1_300 }).catch((e) => e))).toBe('POINTS_INSUFFICIENT');
    expect(await balanceOf(me)).toBe(1200); // refused attempts changed nothing

    const paid = await buy(me, 30_000, { pointsToBurn: 500 });
    expect(paid).toMatchObject({ pointsBurned: 500, paidFen: 29_500, pointsEarned: 295 });
    const lots = await t.db.dataSource.query('SELECT points, remaining FROM points_lot WHERE member_id = ? ORDER BY id', [me]);
    expect(lots.map((l: { points: number; remaining: number }) => [Number(l.points), Number(l.remaining)])).toEqual([
      [400, 0],
      [500, 400],
      [300, 300],
      [295, 295],
    ]);
  });

  // Partial refunds take back earned points and give back burned ones in proportion; the coupon returns on the
  // full refund; never more than paid is refunded; a resent refund refunds once.
  it('refunds: earned and burned points pro rata, the coupon on the full refund, never more than paid, a resent refund once', async () => {
    const me = member();
    await buy(me, 100_000); // 1000 points to spend
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now()));
    const coupon = await t.app.get(ClaimService).claim(me, template.id, key());
    const purchase = await buy(me, 30_000, { couponCode: coupon.code, pointsToBurn: 500 });
    expect(purchase).toMatchObject({
      couponDiscountFen: 2000,
      pointsBurned: 500,
      paidFen: 27_500,
      pointsEarned: 275,
      member: { pointsBalance: 775 },
    });

    const half = await purchases.refund(purchase.id, { amountFen: 13_750, refundNo: 'R-half-1' }, 'o-clerk');
    expect(half).toMatchObject({ pointsClawed: 137, pointsRestored: 250, couponRestored: false, purchase: { refundedFen: 13_750 } });
    const again = await purchases.refund(purchase.id, { amountFen: 13_750, refundNo: 'R-half-1' }, 'o-clerk');
    expect(again.id).toBe(half.id);
    expect(codeOf(await purchases.refund(purchase.id, { amountFen: 13_751, refundNo: 'R-too-much' }, 'o-clerk').catch((e) => e))).toBe(
      'REFUND_EXCEEDS_PAID',
    );
    expect(await balanceOf(me)).toBe(775 - 137 + 250);

    const rest = await purchases.refund(purchase.id, { amountFen: 13_750, refundNo: 'R-rest-2' }, 'o-clerk');
    expect(rest).toMatchObject({ pointsClawed: 138, pointsRestored: 250, couponRestored: true });
    expect(await balanceOf(me)).toBe(1000); // back to before the purchase
    expect(codeOf(await purchases.refund(purchase.id, { amountFen: 1, refundNo: 'R-more' }, 'o-clerk').catch((e) => e))).toBe(
      'REFUND_EXCEEDS_PAID',
    );
  });

  it('refund numbers differing only in case are two refunds, not a replay of the first', async () => {
    // The refund number's column compared without case on MySQL: the second was answered as the first, no money back.
    const me = member();
    const purchase = await buy(me, 30_000);
    const number = `${key()}-RF`;
    const first = await purchases.refund(purchase.id, { amountFen: 10_000, refundNo: number.toUpperCase() }, 'o-clerk');
    const second = await purchases.refund(purchase.id, { amountFen: 10_000, refundNo: number.toLowerCase() }, 'o-clerk');
    expect(second.id).not.toBe(first.id);
    expect(second.purchase.refundedFen).toBe(20_000);
    expect((await purchases.refund(purchase.id, { amountFen: 10_000, refundNo: number.toUpperCase() }, 'o-clerk')).id).toBe(first.id);
  });

  it('two long till keys sharing their first 55 characters are two sales, each redeeming its own coupon', async () => {
    // The redemption's key was `purchase-<key>` cut to 64 characters: these two keys made one.
    const me = member();
    const templates = t.app.get(TemplatesService);
    const claims = t.app.get(ClaimService);
    const template = await templates.create(templateRequest(t.clock.now(), { perMemberLimit: 2 }));
    const [first, second] = [await claims.claim(me, template.id, key()), await claims.claim(me, template.id, key())];
    const prefix = `${key()}-`.padEnd(55, 'p');
    const one = await buy(me, 30_000, { couponCode: first.code, idempotencyKey: `${prefix}-one` });
    const two = await buy(me, 30_000, { couponCode: second.code, idempotencyKey: `${prefix}-two` });
    expect(two.id).not.toBe(one.id);
    expect([one.couponDiscountFen, two.couponDiscountFen]).toEqual([2000, 2000]);
    const redeemed = await t.db.dataSource.getRepository(Coupon).findBy({ id: In([first.id, second.id]) });
    expect(redeemed.map((c) => c.status)).toEqual(['redeemed', 'redeemed']);
    // Each key, resent, answers its own sale.
    expect((await buy(me, 30_000, { couponCode: second.code, idempotencyKey: `${prefix}-two` })).id).toBe(two.id);
    // A full refund of the first gives back its coupon only (the redemption is found by its sale, not its key).
    const refunded = await purchases.refund(one.id, { amountFen: one.paidFen, refundNo: key() }, 'o-clerk');
    expect(refunded.couponRestored).toBe(true);
    const after = await t.db.dataSource.getRepository(Coupon).find({ where: { id: In([first.id, second.id]) }, order: { id: 'ASC' } });
    expect(after.map((c) => [c.id, c.status])).toEqual([
      [first.id, 'available'],
      [second.id, 'redeemed'],
    ]);
  });

  it('takes back only what is left when the member already spent the points: the balance never goes negative', async () => {
    const me = member();
    const earned = await buy(me, 50_000); // 500 points
    await buy(me, 100_000, { pointsToBurn: 500 }); // spent them all (and earned 995)
    await t.db.dataSource.query('UPDATE member SET points_balance = 0 WHERE id = ?', [me]);
    await t.db.dataSource.query('UPDATE points_lot SET remaining = 0 WHERE member_id = ?', [me]);
    await t.db.dataSource.query(
      "INSERT INTO points_ledger (member_id, delta, balance_after, reason, source_key, created_at) VALUES (?, -995, 0, 'burn', ?, ?)",
      [me, `test-spend-${me}`, '2026-11-23 02:00:00'],
    );
    const refund = await purchases.refund(earned.id, { amountFen: 50_000, refundNo: 'R-short-1' }, 'o-clerk');
    expect(refund).toMatchObject({ pointsClawed: 0, pointsShortfall: 500 });
    expect(await balanceOf(me)).toBe(0);
  });

  it('a refund gives back the burned points before it takes back the earned ones: no shortfall while points come back', async () => {
    const me = member();
    await buy(me, 100_000); // 1,000 points
    const sale = await buy(me, 30_000, { pointsToBurn: 500 }); // pays ¥295, earns 295: 795 left
    expect(sale.pointsEarned).toBe(295);
    // The member spends everything left, the 295 just earned with it.
    await t.app
      .get(TransactionRunner)
      .run((em) =>
        t.app
          .get(PointsLedger)
          .debit(em, { memberId: me, points: 795, reason: 'exchange', sourceKey: `spend-all-${me}`, now: t.clock.now() }),
      );
    expect(await balanceOf(me)).toBe(0);
    // The full refund gives back the 500 burned, out of which the 295 earned are taken back: 205, nothing short.
    const refund = await purchases.refund(sale.id, { amountFen: sale.paidFen, refundNo: key() }, 'o-clerk');
    expect(refund).toMatchObject({ pointsRestored: 500, pointsClawed: 295, pointsShortfall: 0 });
    expect(await balanceOf(me)).toBe(205);
  });

  describe('under concurrency', () => {
    it('concurrent spends cannot take a balance below zero: 10 × 100 points against 500', async () => {
      const me = member();
      await buy(me, 50_000);
      // ¥2 orders paying ¥1 with 100 points: each earns 1 point on the ¥1 paid, so exactly 5 fit in 500.
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => buy(me, 200, { pointsToBurn: 100, staff: `o-till-${i}` })),
      );
      const won = results.filter((r) => r.status === 'fulfilled').length;
      const lost = results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason));
      expect(won).toBe(5);
      expect(new Set(lost)).toEqual(new Set(['POINTS_INSUFFICIENT']));
      expect(await balanceOf(me)).toBe(500 - 5 * 100 + 5 * 1);
    });

    it('concurrent refunds never add up to more than was paid, and one refund number refunds once', async () => {
      const me = member();
      const purchase = await buy(me, 100_000);
      const sameNo = await Promise.all(
        Array.from({ length: 10 }, () => purchases.refund(purchase.id, { amountFen: 10_000, refundNo: 'R-same-1' }, 'o-clerk')),
      );
      expect(new Set(sameNo.map((r) => r.id)).size).toBe(1);
      const many = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => purchases.refund(purchase.id, { amountFen: 10_000, refundNo: `R-many-${i}` }, 'o-clerk')),
      );
      expect(many.filter((r) => r.status === 'fulfilled')).toHaveLength(9);
      const refreshed = await purchases.get(purchase.id);
      expect(refreshed.refundedFen).toBe(100_000);
      expect(await balanceOf(me)).toBe(0); // every earned point taken back, none twice
    });
  });

  it('expires points at the end of the year after they were earned, once, however many sweeps run', async () => {
    const me = member();
    t.clock.set('2026-03-01T02:00:00Z');
    await buy(me, 70_000); // expires 2027-12-31 23:59:59 Shanghai
    t.clock.set('2027-06-01T02:00:00Z');
    await buy(me, 20_000); // expires 2028-12-31
    const job = t.app.get(PointsExpiryJob);
    t.clock.set('2027-12-31T15:59:59Z');
    expect(await job.sweep()).toBe(0);
    t.clock.set('2027-12-31T16:00:00Z'); // 2028-01-01 00:00:00 in Shanghai
    // Two sweeps at once (other tests' members expire too): together they expire each lot exactly once.
    const [a, b] = await Promise.all([job.sweep(), job.sweep()]);
    const [{ total }] = await t.db.dataSource.query("SELECT COALESCE(-SUM(delta), 0) AS total FROM points_ledger WHERE reason = 'expire'");
    expect(a + b).toBe(Number(total));
    expect(await job.sweep()).toBe(0);
    expect(await balanceOf(me)).toBe(200);
    const history = await t.app.get(PointsHistoryService).history(me, null);
    expect(history.lines.map((l) => [l.reason, l.delta, l.balanceAfter])).toEqual([
      ['expire', -700, 200],
      ['earn', 200, 900],
      ['earn', 700, 700],
    ]);
    expect(history.expiring).toEqual([{ points: 200, expiresAt: '2028-12-31T15:59:59.000Z' }]);
    expect(history.lines[1]).toMatchObject({ title: '消费积分 · 门店 S001', expiresAt: '2028-12-31T15:59:59.000Z' });
  });

  it('burned points given back keep each part’s expiry, the latest first: a year end takes only the part it owned', async () => {
    const me = member();
    t.clock.set('2026-03-01T02:00:00Z');
    await buy(me, 10_000); // 100 points, expiring 2027-12-31 23:59:59 Shanghai
    t.clock.set('2027-06-01T02:00:00Z');
    await buy(me, 100_000); // 1,000 points, expiring 2028-12-31
    const sale = await buy(me, 100_000, { pointsToBurn: 1000 }); // 100 from the 2027 lot, then 900 from the 2028 one
    const restoredLots = async () =>
      (
        (await t.db.dataSource.query(
          `SELECT l.expires_at AS expiresAt, l.points FROM points_lot l JOIN points_ledger g ON g.id = l.ledger_id
            WHERE g.purchase_id = ? AND g.reason = 'restore' ORDER BY g.id, l.expires_at`,
          [sale.id],
        )) as Array<{ expiresAt: Date | string; points: number | string }>
      ).map((lot) => [sqlDateValue(lot.expiresAt).toISOString(), Number(lot.points)]);
    const [end2027, end2028] = ['2027-12-31T15:59:59.000Z', '2028-12-31T15:59:59.000Z'];

    // Half the sale refunded: half the burn back, all of it from the later part.
    await purchases.refund(sale.id, { amountFen: sale.paidFen / 2, refundNo: key() }, 'o-clerk');
    expect(await restoredLots()).toEqual([[end2028, 500]]);
    // The rest: what is left of the later part, then the sooner one; no part is given back twice.
    await purchases.refund(sale.id, { amountFen: sale.paidFen / 2, refundNo: key() }, 'o-clerk');
    expect(await restoredLots()).toEqual([
      [end2028, 500],
      [end2027, 100],
      [end2028, 400],
    ]);

    // At 2028-01-01 00:00 Shanghai only the 100 points that were 2027's expire (they once all took 2027's expiry).
    const before = await balanceOf(me);
    t.clock.set('2027-12-31T16:00:00Z');
    await t.app.get(PointsExpiryJob).sweep();
    expect(await balanceOf(me)).toBe(before - 100);
  });

  it('points past their expiry are not spent before the expiry job has run: the sale expires them first', async () => {
    const me = member();
    t.clock.set('2026-06-01T02:00:00Z');
    await buy(me, 10_000); // 100 points, expiring 2027-12-31 23:59:59 Shanghai
    t.clock.set('2027-06-01T02:00:00Z');
    await buy(me, 50_000); // 500 points, expiring 2028-12-31
    t.clock.set('2027-12-31T16:30:00Z'); // 00:30 on 2028-01-01 in Shanghai; the job has not run yet
    expect(await balanceOf(me)).toBe(600);
    expect(codeOf(await buy(me, 100_000, { pointsToBurn: 600 }).catch((e) => e))).toBe('POINTS_INSUFFICIENT');
    const sale = await buy(me, 100_000, { pointsToBurn: 500 });
    expect(sale.pointsBurned).toBe(500);
    const expireLines = async () =>
      (
        (await t.db.dataSource.query("SELECT delta FROM points_ledger WHERE member_id = ? AND reason = 'expire'", [me])) as Array<{
          delta: number | string;
        }>
      ).map((line) => Number(line.delta));
    expect(await expireLines()).toEqual([-100]);
    expect(await balanceOf(me)).toBe(sale.pointsEarned);
    // The job, when it comes, finds that lot done.
    await t.app.get(PointsExpiryJob).sweep();
    expect(await expireLines()).toEqual([-100]);
    expect(await balanceOf(me)).toBe(sale.pointsEarned);
  });

  it('refuses a stale or forged member code, and a coupon of another member', async () => {
    const me = member();
    const stale = issueMemberCode(
      { secret: t.config.security.memberCodeSecret, ...t.config.memberCode },
      me,
      new Date(t.clock.now().getTime() - 10 * 60_000),
    ).code;
    expect(
      codeOf(
        await purchases.record({ memberCode: stale, amountFen: 100, storeCode: 'S001', idempotencyKey: key() }, 'o-clerk').catch((e) => e),
      ),
    ).toBe('MEMBER_CODE_EXPIRED');
    const other = member();
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now()));
    const coupon = await t.app.get(ClaimService).claim(other, template.id, key());
    expect(codeOf(await buy(me, 30_000, { couponCode: coupon.code }).catch((e) => e))).toBe('COUPON_OTHER_MEMBER');
    expect(await balanceOf(me)).toBe(0);
  });
});
