import type { CouponView } from '@member/shared';
import { DomainError } from '../common/domain-error';
import { assumeReturning } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { insertJoinedMembers, templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { startTestApp, type TestApp } from '../testing/test-app';
import { ClaimCombiner } from './claim-combiner';
import { ClaimService } from './claim.service';
import { Coupon } from './coupon.entity';
import { TemplatesService } from './templates.service';

const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);
const START = '2026-11-23T02:00:00Z';
let keySeq = 0;
const key = (tag = 'k') => `${tag}-${++keySeq}-${Math.random().toString(36).slice(2, 8)}`;
/** Each tap's answer: the coupon id, or the refusal's code. */
const answerOf = (settled: PromiseSettledResult<CouponView>) =>
  settled.status === 'fulfilled' ? settled.value.id : codeOf(settled.reason);

/**
 * Issue 19: free claims are write-combined per template (ClaimCombiner). What one flush decides for a batch that
 * mixes everything a flash claim throws at it, the sold-out answers from memory, both ways of learning the new
 * rows' ids, and the database's own guard (CHECK) under it.
 */
describe.each(TEST_DATABASES)('write-combined claims on %s', (kind) => {
  let t: TestApp;
  let templates: TemplatesService;
  let claims: ClaimService;
  let members: number[];
  let nextMember = 0;
  const member = () => members[nextMember++];
  const rowsOf = (templateId: number) => t.db.dataSource.getRepository(Coupon).find({ where: { templateId }, order: { id: 'ASC' } });
  const claimedCount = async (templateId: number) => (await templates.get(templateId)).claimedCount;

  beforeAll(async () => {
    t = await startTestApp(kind);
    templates = t.app.get(TemplatesService);
    claims = t.app.get(ClaimService);
    members = await insertJoinedMembers(t.db.dataSource, 1200, `wc-${kind}`, new Date('2026-11-20T00:00:00Z'));
  });
  afterAll(() => t?.close());
  beforeEach(() => t.clock.set(START));
  afterEach(async () => {
    await claims.combiner.drain();
    await expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url });
  });

  /**
   * Stock 6, two per member. Before the flush: A holds one (key a1), and X and Y one each. In one flush, in this
   * order: A retries a1, A taps a2 and a3, B sends b twice at once, C, D, E and F tap once each.
   */
  async function mixedFlush() {
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 6, perMemberLimit: 2 }));
    const [a, b, c, d, e, f, x, y] = Array.from({ length: 8 }, () => member());
    const a1 = key('a1');
    const first = await claims.claim(a, template.id, a1);
    await claims.claim(x, template.id, key('x'));
    await claims.claim(y, template.id, key('y'));
    const flushesBefore = claims.combiner.stats.flushes;
    const bKey = key('b');
    const taps: Array<[number, string]> = [
      [a, a1],
      [a, key('a2')],
      [a, key('a3')],
      [b, bKey],
      [b, bKey],
      [c, key('c')],
      [d, key('d')],
      [e, key('e')],
      [f, key('f')],
    ];
    const settled = await Promise.allSettled(taps.map(([m, k]) => claims.claim(m, template.id, k)));
    return { template, first, settled, flushes: claims.combiner.stats.flushes - flushesBefore, who: { a, b, c, d, e, f } };
  }

  /**
   * Runs `work` with the flush taking its batch first and reading it with the lock (`readWithLockFrom` 1), as a
   * flush that finds a long queue does; by default these small batches are taken once the lock is held.
   */
  async function withBatchTakenFirst<R>(takenFirst: boolean, work: () => Promise<R>): Promise<R> {
    const settings = t.config.coupons.flashClaim;
    const from = settings.readWithLockFrom;
    if (takenFirst) settings.readWithLockFrom = 1;
    try {
      return await work();
    } finally {
      settings.readWithLockFrom = from;
    }
  }
  const batchModes = [
    ['taken under the lock', false],
    ['taken first and read with the lock', true],
  ] as const;

  it.each(batchModes)(
    'one flush of a retry, duplicates, an over-limit member and the last stock answers each right, first come first served (batch %s)',
    async (_mode, takenFirst) => {
      const { template, first, settled, flushes, who } = await withBatchTakenFirst(takenFirst, mixedFlush);
      expect(flushes).toBe(1);
      const answers = settled.map(answerOf);
      // a1 retried: its coupon back (not "limit", though A is at the limit once a2 is taken in the same flush).
      expect(answers[0]).toBe(first.id);
      expect(answers[1]).toEqual(expect.any(Number));
      expect(answers[2]).toBe('COUPON_LIMIT_REACHED');
      // b twice at once: one coupon, both taps answered with it.
      expect(answers[3]).toEqual(expect.any(Number));
      expect(answers[4]).toBe(answers[3]);
      // Stock 6: 3 before the flush, a2, b and c take the last three; d, e, f find it sold out.
      expect(answers.slice(5)).toEqual([expect.any(Number), 'COUPON_OUT_OF_STOCK', 'COUPON_OUT_OF_STOCK', 'COUPON_OUT_OF_STOCK']);
      const rows = await rowsOf(template.id);
      expect(rows).toHaveLength(6);
      expect(await claimedCount(template.id)).toBe(6);
      expect(rows.filter((r) => r.memberId === who.a).map((r) => r.seq)).toEqual([1, 2]);
      expect(rows.filter((r) => r.memberId === who.b)).toHaveLength(1);
      expect(new Set(rows.map((r) => r.code)).size).toBe(6);
    },
  );

  it.each(batchModes)(
    'keys differing only in case are two claims, and a member who sends both fails no one else in the flush (batch %s)',
    async (_mode, takenFirst) => {
      // On MySQL the keys once compared without case in the unique index but exactly in the flush: the flush took
      // the second key for a new claim, its INSERT hit uq_coupon_idempotency four times, and every tap in it failed.
      const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 10, perMemberLimit: 3 }));
      const [a, b, c] = [member(), member(), member()];
      const lower = key('case');
      const upper = lower.toUpperCase();
      const first = await claims.claim(a, template.id, upper);
      const flushesBefore = claims.combiner.stats.flushes;
      const settled = await withBatchTakenFirst(takenFirst, () =>
        Promise.allSettled([
          claims.claim(a, template.id, lower),
          claims.claim(b, template.id, key()),
          claims.claim(c, template.id, key()),
          claims.claim(a, template.id, upper),
        ]),
      );
      expect(claims.combiner.stats.flushes - flushesBefore).toBe(1);
      const answers = settled.map(answerOf);
      expect(answers).toEqual([expect.any(Number), expect.any(Number), expect.any(Number), first.id]);
      expect(answers[0]).not.toBe(first.id);
      const mine = (await rowsOf(template.id)).filter((r) => r.memberId === a);
      expect(mine.map((r) => [r.seq, r.idempotencyKey])).toEqual([
        [1, upper],
        [2, lower],
      ]);
      // Each key, retried, gets its own coupon back.
      expect((await claims.claim(a, template.id, lower)).id).toBe(answers[0]);
      expect((await claims.claim(a, template.id, upper)).id).toBe(first.id);
      expect(await claimedCount(template.id)).toBe(4);
    },
  );

  it('answers a sold-out template from memory: 已领完 for newcomers, the limit for holders; a retried key still gets its coupon', async () => {
    const { template, settled, who } = await mixedFlush();
    await claims.combiner.drain();
    expect(claims.combiner.isSoldOutInMemory(template.id)).toBe(true);
    const flushes = claims.combiner.stats.flushes;
    const fromMemory = claims.combiner.stats.soldOutAnswers;
    const bCoupon = answerOf(settled[3]);
    const retried = await claims.claim(who.b, template.id, (await rowsOf(template.id)).find((r) => r.memberId === who.b)!.idempotencyKey!);
    expect(retried.id).toBe(bCoupon);
    expect(codeOf(await claims.claim(member(), template.id, key()).catch((e) => e))).toBe('COUPON_OUT_OF_STOCK');
    expect(codeOf(await claims.claim(who.a, template.id, key()).catch((e) => e))).toBe('COUPON_LIMIT_REACHED');
    expect(codeOf(await claims.claim(who.d, template.id, key()).catch((e) => e))).toBe('COUPON_OUT_OF_STOCK');
    expect(claims.combiner.stats.flushes).toBe(flushes);
    expect(claims.combiner.stats.soldOutAnswers).toBe(fromMemory + 4);
  });

  it('forgets the sold-out answer when the stock is raised (each instance re-reads the row within soldOutRecheckMs)', async () => {
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 1 }));
    await claims.claim(member(), template.id, key());
    expect(codeOf(await claims.claim(member(), template.id, key()).catch((e) => e))).toBe('COUPON_OUT_OF_STOCK');
    await claims.combiner.drain();
    expect(claims.combiner.isSoldOutInMemory(template.id)).toBe(true);
    await t.db.dataSource.query('UPDATE coupon_template SET total_stock = 2 WHERE id = ?', [template.id]);
    const late = member();
    const deadline = Date.now() + 3 * t.config.coupons.flashClaim.soldOutRecheckMs + 1000;
    let answer: unknown = null;
    while (Date.now() < deadline) {
      answer = await claims.claim(late, template.id, key()).catch((e) => codeOf(e));
      if (typeof answer === 'object') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer).toMatchObject({ status: 'available' });
    expect(await claimedCount(template.id)).toBe(2);
  });

  it.each(batchModes)(
    'takes the MySQL 8 path (no RETURNING: rows read back by their codes) with the same answers (batch %s)',
    async (_mode, takenFirst) => {
      assumeReturning(t.db.dataSource, false);
      try {
        const { first, settled } = await withBatchTakenFirst(takenFirst, mixedFlush);
        const answers = settled.map(answerOf);
        expect(answers[0]).toBe(first.id);
        expect(answers[4]).toBe(answers[3]);
        expect(answers.filter((a) => typeof a === 'number')).toHaveLength(5);
        const views = settled.filter((s): s is PromiseFulfilledResult<CouponView> => s.status === 'fulfilled').map((s) => s.value);
        const rows = await t.db.dataSource.getRepository(Coupon).findBy(views.map((v) => ({ id: v.id })));
        for (const view of views) expect(rows.find((r) => r.id === view.id)?.code).toBe(view.code);
      } finally {
        assumeReturning(t.db.dataSource, kind !== 'sqlite');
      }
    },
  );

  it('the database refuses claimed_count above total_stock (CHECK), whatever code runs', async () => {
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 2 }));
    await expect(t.db.dataSource.query('UPDATE coupon_template SET claimed_count = 3 WHERE id = ?', [template.id])).rejects.toThrow(
      /CHECK|constraint/i,
    );
    await expect(t.db.dataSource.query('UPDATE coupon_template SET claimed_count = -1 WHERE id = ?', [template.id])).rejects.toThrow(
      /CHECK|constraint/i,
    );
    expect(await claimedCount(template.id)).toBe(0);
  });

  it('keeps the points shop out of it: a template with a points price is refused without an exchange', async () => {
    const template = await templates.create(templateRequest(t.clock.now(), { pointsPrice: 100 }));
    const flushes = claims.combiner.stats.flushes;
    expect(codeOf(await claims.claim(member(), template.id, key()).catch((e) => e))).toBe('COUPON_POINTS_ONLY');
    expect(claims.combiner.stats.flushes).toBe(flushes);
  });

  if (kind === 'mariadb') {
    it('three instances combining own taps on a template (a key sent to two at once) never oversell, double or lose a coupon', async () => {
      const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 250, perMemberLimit: 2 }));
      // Two more combiners on the same database: what other server instances run, each with its own queue.
      const replay = (couponId: number) =>
        t.db.dataSource
          .getRepository(Coupon)
          .findOneByOrFail({ id: couponId })
          .then((c) => ({ id: c.id }) as CouponView);
      const instances = [
        claims.combiner,
        ...[1, 2].map(() => new ClaimCombiner(t.config, t.db.dataSource, t.app.get(TransactionRunner), t.clock, replay)),
      ];
      const cached = await t.app.get(TemplatesService).find(template.id);
      const crowd = Array.from({ length: 300 }, () => member());
      const taps: Array<{ memberId: number; key: string; instance: number }> = [];
      crowd.forEach((m, i) => {
        for (let n = 0; n < 2; n++) taps.push({ memberId: m, key: key(`i${i}n${n}`), instance: (i + n) % 3 });
        // Every fifth member's first tap also reaches another instance at the same moment (a client retry after a timeout).
        if (i % 5 === 0) taps.push({ ...taps[taps.length - 2], instance: (i + 1) % 3 });
      });
      const settled = await Promise.allSettled(taps.map((tap) => instances[tap.instance].claim(cached, tap.memberId, tap.key)));
      await Promise.all(instances.map((c) => c.drain()));
      // The other instances' flushes have connections of their own on MySQL: closed here, as a server's shutdown does.
      await Promise.all(instances.slice(1).map((c) => c.close()));

      const rows = await rowsOf(template.id);
      expect(rows).toHaveLength(250);
      expect(await claimedCount(template.id)).toBe(250);
      const perMember = new Map<number, number>();
      for (const r of rows) perMember.set(r.memberId, (perMember.get(r.memberId) ?? 0) + 1);
      expect(Math.max(...perMember.values())).toBeLessThanOrEqual(2);
      // Same key → the same coupon, whichever instance answered; every coupon answered exists.
      const byKey = new Map<string, Set<unknown>>();
      settled.forEach((s, i) => byKey.set(taps[i].key, (byKey.get(taps[i].key) ?? new Set()).add(answerOf(s))));
      for (const [k, answers] of byKey) {
        const row = rows.find((r) => r.idempotencyKey === k);
        if (row) expect([...answers]).toEqual([row.id]);
        else expect([...answers].every((a) => a === 'COUPON_OUT_OF_STOCK')).toBe(true);
      }
      expect(new Set(settled.filter((s) => s.status === 'rejected').map((s) => codeOf((s as PromiseRejectedResult).reason)))).toEqual(
        new Set(['COUPON_OUT_OF_STOCK']),
      );
    });
  }
});
