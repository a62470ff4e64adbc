import { DomainEvents } from '../events/domain-event-bus';
import { PointsChanged, SaleRefunded, SaleSettled, TierChanged } from '../events/domain-events';
import { Member } from '../members/member.entity';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import type { TestApp } from '../testing/test-app';
import { tillSpec } from '../testing/till-spec';
import { PurchasesService } from './purchases.service';
import { Purchase } from './sale.entities';

const START = '2026-11-23T02:00:00Z'; // Monday, not a member day: 1 point per ¥1

/**
 * A new capability (here a stand-in for a check-in streak) subscribes to what settlement announces, without
 * touching settlement: it sees SaleSettled inside the sale's transaction, its failure there undoes the sale,
 * and an after-commit subscriber's failure does not.
 */
describe.each(TEST_DATABASES)('sale events on %s', (kind) => {
  let t: TestApp;
  let events: DomainEvents;
  const unsubscribe: Array<() => void> = [];
  // Declared before tillSpec, whose afterAll closes the app: the probe table goes while the database is open.
  afterAll(() => t?.db.dataSource.query('DROP TABLE streak_probe'));
  const till = tillSpec(kind, 'ev', 10);
  const { key, member, buy } = till;
  let purchases: PurchasesService;
  const purchasesOf = (memberId: number) => t.db.dataSource.getRepository(Purchase).countBy({ memberId });
  const streakOf = async (memberId: number) =>
    Number((await t.db.dataSource.query('SELECT COUNT(*) AS n FROM streak_probe WHERE member_id = ?', [memberId]))[0].n);

  beforeAll(async () => {
    ({ t, purchases } = await till.start());
    events = t.app.get(DomainEvents);
    // The capability's own table (a real one would come with its migration).
    await t.db.dataSource.query('CREATE TABLE streak_probe (purchase_id INT PRIMARY KEY, member_id INT NOT NULL)');
  });
  beforeEach(() => t.clock.set(START));
  afterEach(async () => {
    unsubscribe.splice(0).forEach((off) => off());
    await expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url });
  });

  it('a subscriber sees SaleSettled inside the settlement transaction and writes with it', async () => {
    const me = member();
    const seen: Array<{ event: SaleSettled; rowInside: number; rowOutside: number | null }> = [];
    unsubscribe.push(
      events.inTransaction(SaleSettled, 'test.streak', async (event, em) => {
        const inside = await em.query('SELECT paid_fen AS paid FROM purchase WHERE id = ?', [event.purchaseId]);
        // Another connection does not see the sale yet: it is not committed (sql.js has one connection, so only MariaDB can tell).
        const outside =
          kind === 'mariadb' ? (await t.db.dataSource.query('SELECT id FROM purchase WHERE id = ?', [event.purchaseId])).length : null;
        seen.push({ event, rowInside: Number(inside[0].paid), rowOutside: outside });
        await em.query('INSERT INTO streak_probe (purchase_id, member_id) VALUES (?, ?)', [event.purchaseId, event.memberId]);
      }),
    );
    const sale = await buy(me, 12_800);
    expect(seen).toHaveLength(1);
    expect(seen[0].event).toMatchObject({
      purchaseId: sale.id,
      memberId: me,
      channel: 'till',
      storeCode: 'S001',
      grossFen: 12_800,
      paidFen: 12_800,
      pointsEarned: 128,
      balanceAfterEarn: 128,
    });
    expect(seen[0].rowInside).toBe(12_800);
    if (kind === 'mariadb') expect(seen[0].rowOutside).toBe(0);
    expect(await streakOf(me)).toBe(1);
  });

  it('a throwing in-transaction subscriber rolls the sale back: no purchase, no points, nothing it wrote', async () => {
    const me = member();
    const later = jest.fn(async () => undefined);
    unsubscribe.push(
      events.inTransaction(SaleSettled, 'test.streak', async (event, em) => {
        await em.query('INSERT INTO streak_probe (purchase_id, member_id) VALUES (?, ?)', [event.purchaseId, event.memberId]);
        throw new Error('streak service refused');
      }),
      events.afterCommit(SaleSettled, 'test.later', later),
    );
    await expect(buy(me, 12_800)).rejects.toThrow('streak service refused');
    expect(await purchasesOf(me)).toBe(0);
    expect((await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: me })).pointsBalance).toBe(0);
    expect(await streakOf(me)).toBe(0);
    expect(later).not.toHaveBeenCalled();
  });

  it('a failing after-commit subscriber leaves the sale committed; the next after-commit subscriber still runs and sees it', async () => {
    const me = member();
    const seenCommitted: number[] = [];
    unsubscribe.push(
      events.afterCommit(SaleSettled, 'test.fails', async () => {
        throw new Error('analytics down');
      }),
      events.afterCommit(
        SaleSettled,
        'test.sees',
        async (event) =>
          void seenCommitted.push((await t.db.dataSource.query('SELECT id FROM purchase WHERE id = ?', [event.purchaseId])).length),
      ),
    );
    const sale = await buy(me, 5_000);
    expect(sale.paidFen).toBe(5_000);
    expect(await purchasesOf(me)).toBe(1);
    expect(seenCommitted).toEqual([1]);
  });

  it('announces the points, the tier and the refund of a sale from their owners', async () => {
    const me = member();
    const seen: object[] = [];
    for (const event of [PointsChanged, TierChanged, SaleRefunded])
      unsubscribe.push(events.afterCommit(event as typeof PointsChanged, 'test.log', async (e) => void seen.push(e)));
    const sale = await buy(me, 210_000); // ¥2,100 in 12 months: silver at once
    expect(seen).toEqual([
      expect.objectContaining({
        constructor: PointsChanged,
        memberId: me,
        delta: 2100,
        balanceAfter: 2100,
        reason: 'earn',
        purchaseId: sale.id,
      }),
      expect.objectContaining({ constructor: TierChanged, memberId: me, from: 'normal', to: 'silver', cause: 'sale' }),
    ]);
    seen.length = 0;
    await purchases.refund(sale.id, { amountFen: 210_000, refundNo: key() }, 'o-clerk');
    expect(seen).toEqual([
      expect.objectContaining({ constructor: PointsChanged, memberId: me, delta: -2100, reason: 'clawback' }),
      expect.objectContaining({
        constructor: SaleRefunded,
        purchaseId: sale.id,
        memberId: me,
        channel: 'till',
        amountFen: 210_000,
        full: true,
        pointsClawed: 2100,
      }),
    ]);
  });
});
