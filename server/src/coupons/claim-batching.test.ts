import { templateRequest } from '../testing/coupon-fixtures';
import { expectInvariants } from '../testing/invariants';
import { joinedMembersSpec, waitFor } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { ClaimService } from './claim.service';
import { Coupon } from './coupon.entity';
import { TemplatesService } from './templates.service';

const START = '2026-11-23T02:00:00Z';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A flush takes its batch once it holds the template row's lock, so taps that queue while it waits (behind another
 * flush, or another instance) go with it: batches are as large as the lock's turnover allows. MariaDB only: the
 * lock is held from a second connection, as another instance's flush would hold it.
 */
describe('write-combined claims take their batch under the lock (mariadb)', () => {
  const { start, member } = joinedMembersSpec('mariadb', 'batch', 60, '2026-11-20T00:00:00Z');
  let t: TestApp;
  let claims: ClaimService;
  let templates: TemplatesService;
  let members: number[];
  /** The flash-claim settings as configured; a test that changes them gets them back after it. */
  let flashDefaults: TestApp['config']['coupons']['flashClaim'];

  beforeAll(async () => {
    t = await start();
    claims = t.app.get(ClaimService);
    templates = t.app.get(TemplatesService);
    members = Array.from({ length: 60 }, () => member());
    flashDefaults = { ...t.config.coupons.flashClaim };
  });
  beforeEach(() => t.clock.set(START));

  /** Holds the template row's lock from a connection of its own, as another instance's flush would; resolves to its release. */
  async function lockElsewhere(templateId: number): Promise<() => Promise<void>> {
    const other = t.db.dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query('SELECT id FROM coupon_template WHERE id = ? FOR UPDATE', [templateId]);
    return async () => {
      await other.commitTransaction();
      await other.release();
    };
  }
  afterEach(async () => {
    Object.assign(t.config.coupons.flashClaim, flashDefaults);
    await claims.combiner.drain();
    await expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url });
  });

  it('three waves of taps that queued while the row was locked elsewhere go in one batch, first come first served', async () => {
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 50 }));
    const release = await lockElsewhere(template.id);
    const flushes = claims.combiner.stats.flushes;
    const waves = [members.slice(0, 20), members.slice(20, 40), members.slice(40, 60)];
    const answers: Array<Promise<unknown>> = [];
    for (const wave of waves) {
      answers.push(...wave.map((m) => claims.claimResult(m, template.id, `wave-${m}`)));
      await pause(40); // longer than the window: each wave would have been a batch of its own
    }
    await release();
    const settled = (await Promise.all(answers)) as Array<{ kind: string; code?: string }>;

    expect(claims.combiner.stats.largestBatch).toBe(60);
    // One flush: while one waits at the lock it will take every tap, so no other begins only to find the queue empty
    // (it would hold the lock a round trip for nothing, ahead of the next flush with taps).
    expect(claims.combiner.stats.flushes - flushes).toBe(1);
    // Stock 50: the first 50 to tap win, in arrival order across the waves.
    expect(settled.slice(0, 50).every((a) => a.kind === 'coupon')).toBe(true);
    expect(settled.slice(50).map((a) => a.code)).toEqual(Array(10).fill('COUPON_OUT_OF_STOCK'));
    expect(await t.db.dataSource.getRepository(Coupon).countBy({ templateId: template.id })).toBe(50);

    // The flushes that found nothing left ended their transactions: the row's lock is free at once, for another
    // connection and for the next flushes (a flush's connection returned to its pool mid-transaction kept the lock).
    const probe = t.db.dataSource.createQueryRunner();
    await probe.connect();
    await probe.query('SET SESSION innodb_lock_wait_timeout = 1');
    await probe.startTransaction();
    await probe.query('SELECT id FROM coupon_template WHERE id = ? FOR UPDATE', [template.id]);
    await probe.rollbackTransaction();
    await probe.release();
    const again = await templates.create(templateRequest(t.clock.now(), { totalStock: 50 }));
    const later = await Promise.all(members.slice(0, 10).map((m) => claims.claimResult(m, again.id, `later-${m}`)));
    expect(later.every((a) => a.kind === 'coupon')).toBe(true);
    const more = await Promise.all(members.slice(50, 60).map((m) => claims.claimResult(m, template.id, `more-${m}`)));
    expect(more.map((a) => (a.kind === 'refused' ? a.code : a.kind))).toEqual(Array(10).fill('COUPON_OUT_OF_STOCK'));
  });

  it('a flush taking its batch as it begins (long queue) leaves later taps for the next, which queues once it holds the lock', async () => {
    t.config.coupons.flashClaim.readWithLockFrom = 1; // restored after each test
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 50 }));
    const release = await lockElsewhere(template.id);
    const before = { ...claims.combiner.stats };
    const answers: Array<Promise<{ kind: string; code?: string }>> = [];
    answers.push(...members.slice(0, 20).map((m) => claims.claimResult(m, template.id, `first-${m}`)));
    await pause(40); // the first flush has taken these 20 and waits at the lock with them
    answers.push(...members.slice(20, 60).map((m) => claims.claimResult(m, template.id, `next-${m}`)));
    await pause(40); // no second flush queues at the lock while the first waits there
    expect(claims.combiner.stats.flushes - before.flushes).toBe(1);
    await release();
    const settled = await Promise.all(answers);
    // Two flushes: the first with its 20, the second with the 40 that queued while it waited.
    expect(claims.combiner.stats.flushes - before.flushes).toBe(2);
    expect(claims.combiner.stats.claims - before.claims).toBe(60);
    // Still first come first served across the two: stock 50, the last 10 to tap find it sold out.
    expect(settled.slice(0, 50).every((a) => a.kind === 'coupon')).toBe(true);
    expect(settled.slice(50).map((a) => a.code)).toEqual(Array(10).fill('COUPON_OUT_OF_STOCK'));
  });

  it('the taps that queued while a flush waited at the lock go the moment it holds the lock, not after a window', async () => {
    t.config.coupons.flashClaim.readWithLockFrom = 1; // each flush takes its batch as it begins
    t.config.coupons.flashClaim.windowMs = 100; // a window far longer than the first flush's write and commit
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 60 }));
    const release = await lockElsewhere(template.id);
    const before = { ...claims.combiner.stats };
    const first = members.slice(0, 20).map((m) => claims.claimResult(m, template.id, `go-first-${m}`));
    // After the window the first flush takes these 20 and waits at the lock with them.
    await waitFor('the first flush to take its batch', async () => claims.combiner.stats.claims - before.claims === 20);
    const next = members.slice(20, 60).map((m) => claims.claimResult(m, template.id, `go-next-${m}`));
    await pause(20);
    expect(claims.combiner.stats.flushes - before.flushes).toBe(1);
    await release();
    // By the time the first flush has committed and answered, the second one has begun with the 40 (it queues at the
    // lock while the first writes). Started after the window instead, it would begin some 100 ms later.
    await Promise.all(first);
    const begunWhenFirstAnswered = claims.combiner.stats.flushes - before.flushes;
    const settled = await Promise.all(next);
    expect(begunWhenFirstAnswered).toBe(2);
    expect(settled.every((a) => a.kind === 'coupon')).toBe(true);
    expect(claims.combiner.stats.claims - before.claims).toBe(60);
  });

  it('more taps queued than one batch takes: one flush per full batch waits at the lock, each takes its own', async () => {
    t.config.coupons.flashClaim.maxBatch = 25;
    const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 100 }));
    const release = await lockElsewhere(template.id);
    const before = { ...claims.combiner.stats };
    const answers = members.map((m) => claims.claimResult(m, template.id, `split-${m}`));
    await pause(40);
    await release();
    const settled = await Promise.all(answers);
    expect(settled.every((a) => a.kind === 'coupon')).toBe(true);
    // 60 taps, 25 a batch: three flushes (25, 25, 10), none empty.
    expect(claims.combiner.stats.flushes - before.flushes).toBe(3);
    expect(claims.combiner.stats.claims - before.claims).toBe(60);
    expect(await t.db.dataSource.getRepository(Coupon).countBy({ templateId: template.id })).toBe(60);
  });

  it.each([
    ['taken under the lock', false],
    ['taken first and read with the lock', true],
  ] as const)(
    'a flush that loses a deadlock to another writer of the template is judged again in a new snapshot (batch %s)',
    async (_mode, takenFirst) => {
      if (takenFirst) t.config.coupons.flashClaim.readWithLockFrom = 1;
      // The other writer does what a campaign chunk does: INSERT coupons, then `claimed_count + n` on the template row.
      // It holds the unique key (template, member, seq 1) of the member who taps; the flush holds the row lock and
      // waits for that key; the other then waits for the row: a deadlock. Twenty rows make the other transaction the
      // heavier one, so InnoDB rolls the flush back, and the flush must run again rather than fail its taps.
      const template = await templates.create(templateRequest(t.clock.now(), { totalStock: 50, perMemberLimit: 2 }));
      const [tapper, ...others] = members.slice(0, 21);
      const tapKey = `deadlock-tap-${template.id}`;
      const other = t.db.dataSource.createQueryRunner();
      await other.connect();
      const flushesBefore = claims.combiner.stats.flushes;
      let answer: ReturnType<ClaimService['claimResult']> | null = null;
      try {
        await other.startTransaction();
        const now = t.clock.now();
        const until = new Date(now.getTime() + 7 * 86_400_000);
        const rows = [tapper, ...others.slice(0, 19)].map((memberId, i) => [
          template.id,
          memberId,
          1,
          `deadlock-${template.id}-${i}`,
          now,
          until,
        ]);
        await other.query(
          `INSERT INTO coupon (template_id, member_id, seq, code, status, valid_from, valid_until, claimed_at, created_at, updated_at)
         VALUES ${rows.map(() => "(?, ?, ?, ?, 'available', ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP())").join(', ')}`,
          rows.flat(),
        );
        answer = claims.claimResult(tapper, template.id, tapKey);
        // Until the flush's INSERT runs in this test's database (it holds the row lock by then): it cannot finish while
        // the key is taken. Other suites' connections on the same server are not this flush.
        for (let waited = 0; ; waited += 10) {
          const [{ inserting }] = (await t.db.dataSource.query(
            `SELECT COUNT(*) AS inserting FROM information_schema.PROCESSLIST
            WHERE DB = DATABASE() AND COMMAND = 'Query' AND INFO LIKE 'INSERT INTO coupon%'`,
          )) as Array<{ inserting: string | number }>;
          if (Number(inserting) > 0) break;
          if (waited > 5000) throw new Error('the flush never reached its INSERT');
          await pause(10);
        }
        // Were the deadlock not detected, this would wait for the flush's lock: fail in seconds, not InnoDB's default 50.
        await other.query('SET SESSION innodb_lock_wait_timeout = 5');
        await other.query('UPDATE coupon_template SET claimed_count = claimed_count + ? WHERE id = ?', [rows.length, template.id]);
        await other.commitTransaction();
      } finally {
        // A failed step must not leave the other transaction holding its keys (the flush, and the run, would wait).
        if (other.isTransactionActive) await other.rollbackTransaction();
        await other.release();
      }
      // Judged again after the other committed: its coupon counts, so the tap takes seq 2 within the limit of two.
      const settled = await answer!;
      expect(settled.kind).toBe('coupon');
      expect(claims.combiner.stats.flushes - flushesBefore).toBe(1);
      const mine = await t.db.dataSource
        .getRepository(Coupon)
        .find({ where: { templateId: template.id, memberId: tapper }, order: { seq: 'ASC' } });
      expect(mine.map((c) => [c.seq, c.idempotencyKey])).toEqual([
        [1, null],
        [2, tapKey],
      ]);
      // A retry of the tap gets the same coupon; the counter matches the rows (expectInvariants, after each test).
      const again = await claims.claimResult(tapper, template.id, tapKey);
      expect(again.kind === 'coupon' && settled.kind === 'coupon' && again.view.id === settled.view.id).toBe(true);
    },
  );
});
