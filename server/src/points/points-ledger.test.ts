import { Member } from '../members/member.entity';
import { TransactionRunner } from '../database/transaction-runner';
import { TEST_DATABASES } from '../testing/databases';
import type { TestApp } from '../testing/test-app';
import { tillSpec } from '../testing/till-spec';
import { expectInvariants } from '../testing/invariants';
import { PointsExpiryJob } from './points-expiry.job';
import { PointsLedger } from './points-ledger';
import { Purchase } from '../orders/sale.entities';
import { SaleRefunds } from '../orders/sale-refunds.service';

const START = '2026-11-23T02:00:00Z'; // Monday, not a member day: 1 point per ¥1

/** Resolves every waiter once `count` of them arrived: both transactions hold their snapshot before either writes. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === count) open();
    return opened;
  };
}

describe.each(TEST_DATABASES)('points lots on %s', (kind) => {
  const till = tillSpec(kind, 'lots', 10);
  const { member, buy } = till;
  let t: TestApp;
  const pointsOf = async (memberId: number) => {
    const [row] = await t.db.dataSource.query(
      `SELECT m.points_balance AS balance,
              (SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l WHERE l.member_id = m.id) AS ledger,
              (SELECT COALESCE(SUM(p.remaining), 0) FROM points_lot p WHERE p.member_id = m.id) AS lots
         FROM member m WHERE m.id = ?`,
      [memberId],
    );
    return { balance: Number(row.balance), ledger: Number(row.ledger), lots: Number(row.lots) };
  };

  beforeAll(async () => {
    ({ t } = await till.start());
  });
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  beforeEach(() => t.clock.set(START));

  // Issue 14, defect 2. A WeChat Pay refund settles in a transaction that reads the order (a plain read: on
  // MySQL that fixes the transaction's snapshot) before refundWithin locks the purchase. Two refunds of one order
  // confirmed at once: the second waits for the first's locks, then read the lots from its older snapshot and
  // wrote them back, undoing the first's clawback (ledger = balance = 20, lots 60); their expiry then took 60
  // from a balance of 20 (−40). On sql.js transactions run one after another, so this holds there trivially.
  it('two refunds of one purchase settling at once both take points from lots; their expiry never takes the balance below 0', async () => {
    const me = member();
    const purchase = await buy(me, 10_000); // 100 points, one lot
    expect(await pointsOf(me)).toEqual({ balance: 100, ledger: 100, lots: 100 });

    const bothHoldSnapshots = barrier(2);
    const transactions = t.app.get(TransactionRunner);
    const settle = (refundNo: string) =>
      transactions.run(async (em) => {
        await em.findOneByOrFail(Purchase, { id: purchase.id }); // what settleRefund's read of the order does
        if (kind === 'mariadb') await bothHoldSnapshots();
        return t.app.get(SaleRefunds).refundWithin(em, purchase.id, { amountFen: 4_000, refundNo }, 'o-clerk', t.clock.now());
      });
    await Promise.all([settle('R-race-1'), settle('R-race-2')]);
    expect(await pointsOf(me)).toEqual({ balance: 20, ledger: 20, lots: 20 });

    t.clock.set('2028-01-01T00:00:00Z'); // past the end of 2027, when the lot expires
    await t.app.get(PointsExpiryJob).sweep();
    expect(await pointsOf(me)).toEqual({ balance: 0, ledger: 0, lots: 0 });
  });

  it('many concurrent debits and refunds of one member keep balance = Σ ledger = Σ lots', async () => {
    const me = member();
    const bought = await Promise.all([buy(me, 30_000), buy(me, 20_000), buy(me, 10_000)]);
    const ledger = t.app.get(PointsLedger);
    const transactions = t.app.get(TransactionRunner);
    await Promise.all([
      ...bought.map((p, i) =>
        transactions.run(async (em) => {
          await em.findOneByOrFail(Purchase, { id: p.id });
          return t.app.get(SaleRefunds).refundWithin(em, p.id, { amountFen: 5_000, refundNo: `R-many-${i}` }, 'o-clerk', t.clock.now());
        }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        transactions.run(async (em) => {
          await em.findOneByOrFail(Member, { id: me });
          return ledger.debit(em, { memberId: me, points: 50, reason: 'exchange', sourceKey: `test-spend:${me}:${i}`, now: t.clock.now() });
        }),
      ),
    ]);
    expect(await pointsOf(me)).toEqual({ balance: 600 - 150 - 200, ledger: 250, lots: 250 });
  });

  it('expiry takes a lot that holds more than the balance (lots written apart by a bug) down to 0, never below', async () => {
    const me = member();
    await buy(me, 5_000); // 50 points
    // Simulate the lost update: the lot says 80 while the balance and the ledger say 50.
    await t.db.dataSource.query('UPDATE points_lot SET remaining = 80, points = 80 WHERE member_id = ?', [me]);
    t.clock.set('2028-01-01T00:00:00Z');
    await t.app.get(PointsExpiryJob).sweep();
    expect(await pointsOf(me)).toEqual({ balance: 0, ledger: 0, lots: 0 });
  });
});
