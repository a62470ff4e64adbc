import { createTestDatabase, TEST_DATABASES, type TestDatabase } from '../testing/databases';
import { PointsLedgerLine } from '../points/points.entities';
import { Member } from './member.entity';

/** Issue 14, point 7: a member's balance and the ledger's running balance outgrow INT with a long history. */
describe.each(TEST_DATABASES)("numbers that grow with a member's history on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(() => db?.drop());

  it('keeps a points balance and ledger line beyond 2^31 and reads them back as numbers', async () => {
    const members = db.dataSource.getRepository(Member);
    await members.insert({ openid: 'o-big', pointsBalance: 2 ** 31 - 100 });
    const { id } = await members.findOneByOrFail({ openid: 'o-big' });
    // What the ledger does on a large purchase: a conditional UPDATE of the balance (INT: out of range → 500).
    await db.dataSource.query('UPDATE member SET points_balance = points_balance + ? WHERE id = ? AND points_balance + ? >= 0', [
      4_000_000,
      id,
      4_000_000,
    ]);
    const member = await members.findOneByOrFail({ id });
    expect(member.pointsBalance).toBe(2 ** 31 - 100 + 4_000_000);
    expect(typeof member.pointsBalance).toBe('number');

    await db.dataSource.getRepository(PointsLedgerLine).insert({
      memberId: id,
      delta: 2 ** 33,
      balanceAfter: 2 ** 33 + 5,
      reason: 'earn',
      sourceKey: `test-big-${id}`,
      createdAt: new Date(),
    } as Partial<PointsLedgerLine>);
    const line = await db.dataSource.getRepository(PointsLedgerLine).findOneByOrFail({ memberId: id });
    expect([line.delta, line.balanceAfter]).toEqual([2 ** 33, 2 ** 33 + 5]);
  });
});
