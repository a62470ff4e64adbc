import { TransactionRunner } from '../database/transaction-runner';
import { DomainEvents } from '../events/domain-event-bus';
import { SaleSettled, TierChanged } from '../events/domain-events';
import { membersRepository } from '../members/members.repository';
import { insertJoinedMembers } from '../testing/coupon-fixtures';
import { expectInvariants } from '../testing/invariants';
import { startTestApp, type TestApp } from '../testing/test-app';
import { SaleSettlement } from './sale-settlement.service';
import type { Sale } from './sale.entities';

const START = '2026-11-23T02:00:00Z'; // Monday, not a member day
// Only MariaDB runs transactions side by side: sql.js queues them, so there is no race to lose there.
const onMariadb = (process.env.TEST_DATABASES ?? 'mariadb,sqlite').includes('mariadb') ? describe : describe.skip;

/**
 * Two sales of one member settling at once, which together reach the next tier. Each settlement must read the
 * member and the tier-window spend only after it holds the member's row lock: a plain read before the lock
 * fixes the transaction's snapshot on MySQL, so the second settlement, once the first has committed, would
 * still count only its own sale and neither would upgrade.
 */
onMariadb('settling sales of one member at once on mariadb', () => {
  let t: TestApp;
  let settlement: SaleSettlement;
  let transactions: TransactionRunner;
  let events: DomainEvents;
  const unsubscribe: Array<() => void> = [];

  beforeAll(async () => {
    t = await startTestApp('mariadb');
    settlement = t.app.get(SaleSettlement);
    transactions = t.app.get(TransactionRunner);
    events = t.app.get(DomainEvents);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => t.clock.set(START));
  afterEach(async () => {
    unsubscribe.splice(0).forEach((off) => off());
    await expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url });
  });

  /** Transactions of this test's database waiting for a row lock (other suites share the server). */
  const lockWaits = async (): Promise<number> => {
    const [row]: Array<{ n: number | string }> = await t.db.dataSource.query(
      `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX x JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
        WHERE x.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()`,
    );
    return Number(row.n);
  };

  it('two sales that together cross a tier threshold upgrade the member once, with one TierChanged', async () => {
    const [me] = await insertJoinedMembers(t.db.dataSource, 1, 'settle-race', new Date('2026-01-05T00:00:00Z'));
    const silver = t.config.tiers.find((tier) => tier.code === 'silver')!;
    const halfFen = Math.ceil(silver.minSpendFen / 2); // each alone stays below silver, both together reach it

    const changes: TierChanged[] = [];
    unsubscribe.push(
      events.afterCommit(TierChanged, 'test.tier-changes', async (event) => {
        changes.push(event);
      }),
    );
    // The first settlement to hold the lock keeps its transaction open until the other one waits for that lock,
    // so the second one's reads can only be current if they come after its lock.
    let held = false;
    unsubscribe.push(
      events.inTransaction(SaleSettled, 'test.hold-first', async (event) => {
        if (event.memberId !== me || held) return;
        held = true;
        const until = Date.now() + 10_000;
        while ((await lockWaits()) === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      }),
    );

    const sale = (n: number): Sale => ({
      memberId: me,
      staffOpenid: 'o-clerk',
      idempotencyKey: `settle-race-${n}`,
      storeCode: 'S001',
      grossFen: halfFen,
      couponId: null,
      redemptionId: null,
      couponDiscountFen: 0,
      paidFen: halfFen,
      burn: { points: 0 },
      now: t.clock.now(),
    });
    await Promise.all([1, 2].map((n) => transactions.run((em) => settlement.settleWithin(em, sale(n)))));

    expect(held).toBe(true);
    expect((await membersRepository.find(t.db.dataSource.manager, me))?.tier).toBe('silver');
    expect(changes.filter((change) => change.memberId === me)).toEqual([
      expect.objectContaining({ memberId: me, from: 'normal', to: 'silver', cause: 'sale' }),
    ]);
  });
});
