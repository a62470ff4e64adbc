import { TransactionRunner } from '../database/transaction-runner';
import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { DomainEvents } from './domain-event-bus';

class SomethingHappened {
  constructor(readonly id: number) {}
}

/** The bus on its own, over a real transaction on each database: the two phases and what a failure does. */
describe.each(TEST_DATABASES)('domain events on %s', (kind) => {
  let db: TestDatabase;
  let transactions: TransactionRunner;
  let events: DomainEvents;
  const ids = async () =>
    ((await db.dataSource.query('SELECT id FROM event_probe ORDER BY id')) as Array<{ id: number | string }>).map((r) => Number(r.id));
  const happen = (id: number) =>
    transactions.run(async (em) => {
      await em.query('INSERT INTO event_probe (id) VALUES (?)', [id]);
      await events.publish(em, new SomethingHappened(id));
    });

  beforeAll(async () => {
    db = await createTestDatabase(kind, 4);
    await db.dataSource.query('CREATE TABLE event_probe (id INT PRIMARY KEY)');
    transactions = new TransactionRunner(db.dataSource);
    events = new DomainEvents(transactions);
  });
  afterAll(async () => {
    await db.dataSource.query('DROP TABLE event_probe');
    await expectInvariants(db.dataSource);
    await db.drop();
  });

  it('runs in-transaction subscribers with the publisher’s em, so their writes commit with it', async () => {
    const off = events.inTransaction(SomethingHappened, 'probe-twin', async (event, em) => {
      await em.query('INSERT INTO event_probe (id) VALUES (?)', [event.id + 1000]);
    });
    await happen(1);
    off();
    expect(await ids()).toEqual(expect.arrayContaining([1, 1001]));
  });

  it('rolls the publisher back when an in-transaction subscriber throws; after-commit subscribers never run', async () => {
    const later = jest.fn(async () => undefined);
    const offs = [
      events.inTransaction(SomethingHappened, 'refuses', async () => {
        throw new Error('no');
      }),
      events.afterCommit(SomethingHappened, 'later', later),
    ];
    await expect(happen(2)).rejects.toThrow('no');
    offs.forEach((off) => off());
    expect(await ids()).not.toContain(2);
    expect(later).not.toHaveBeenCalled();
  });

  it('runs after-commit subscribers once the row is visible outside, before run() answers; their failure leaves it committed', async () => {
    const seen: number[][] = [];
    const offs = [
      events.afterCommit(SomethingHappened, 'fails', async () => {
        throw new Error('message service down');
      }),
      // Reads through the pool, not the transaction: it sees the event's row only if it committed.
      events.afterCommit(SomethingHappened, 'reads', async () => void seen.push(await ids())),
    ];
    await happen(3);
    offs.forEach((off) => off());
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain(3);
    expect(await ids()).toContain(3);
  });

  it('lets an after-commit subscriber open a transaction of its own (SQLite runs them one at a time)', async () => {
    const off = events.afterCommit(SomethingHappened, 'writes', (event) =>
      transactions.run(async (em) => void (await em.query('INSERT INTO event_probe (id) VALUES (?)', [event.id + 2000]))),
    );
    await happen(4);
    off();
    expect(await ids()).toEqual(expect.arrayContaining([4, 2004]));
  });

  it('refuses a publish from a transaction it cannot see commit', async () => {
    const off = events.afterCommit(SomethingHappened, 'later', async () => undefined);
    await expect(db.dataSource.transaction((em) => events.publish(em, new SomethingHappened(5)))).rejects.toThrow('TransactionRunner.run');
    off();
  });
});
