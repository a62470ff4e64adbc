import type { Coupon } from '../coupons/coupon.entity';
import { TemplatesService } from '../coupons/templates.service';
import { WalletService } from '../coupons/wallet.service';
import { spendInWindow } from '../points/spend';
import { insertJoinedMembers, templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { startTestApp, type TestApp } from '../testing/test-app';
import { MemberCardService } from './member-card.service';
import { Member } from './member.entity';
import { MembersService } from './members.service';

/**
 * The card in one round trip (issue 15): the same numbers as the owners' own reads (spendInWindow, the wallet's
 * usable count, the member row through the ORM), from one query. Rows are inserted directly to reach the edges
 * (window start, last valid second, refunds); this file only reads, so it runs no invariant checker.
 */
describe.each(TEST_DATABASES)('member card read on %s', (kind) => {
  let t: TestApp;
  let cards: MemberCardService;
  let templateId: number;

  beforeAll(async () => {
    t = await startTestApp(kind);
    cards = t.app.get(MemberCardService);
    templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 1000 }))).id;
  });
  afterAll(() => t?.close());

  /** Every statement the data source runs while `work` runs: both drivers report each one to the logger. */
  async function countQueries<T>(work: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
    const spy = jest.spyOn(t.db.dataSource.logger, 'logQuery');
    try {
      const result = await work();
      return { result, queries: spy.mock.calls.map(([sql]) => sql) };
    } finally {
      spy.mockRestore();
    }
  }

  async function memberWithHistory(prefix: string) {
    const now = t.clock.now();
    const [memberId] = await insertJoinedMembers(t.db.dataSource, 1, prefix, new Date(now.getTime() - 400 * 86_400_000));
    await t.db.dataSource.getRepository(Member).update(memberId, {
      pointsBalance: 2 ** 33,
      tier: 'silver' as Member['tier'],
      doublePointsUntil: new Date(now.getTime() + 3_600_000),
    });
    const day = 86_400_000;
    const purchase = (n: number, paid: number, refunded: number, at: Date) => ({
      memberId,
      staffOpenid: 'clerk',
      idempotencyKey: `${prefix}-${n}`,
      storeCode: 'S001',
      grossFen: paid,
      paidFen: paid,
      refundedFen: refunded,
      purchasedAt: at,
    });
    // By entity name: the sale tables are moving between modules (issue 15); the card reads the `purchase` table.
    await t.db.dataSource.getRepository('Purchase').insert([
      purchase(1, 10_000, 0, new Date(now.getTime() - 10 * day)),
      purchase(2, 50_000, 20_000, new Date(now.getTime() - 100 * day)),
      purchase(3, 99_999, 0, new Date(now.getTime() - 500 * day)), // outside a 12-month window
    ]);
    const second = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const coupon = (seq: number, status: Coupon['status'], validUntil: Date) => ({
      templateId,
      memberId,
      seq,
      code: `${prefix}${seq}`.slice(0, 20),
      status,
      validFrom: new Date(now.getTime() - day),
      validUntil,
      claimedAt: new Date(now.getTime() - day),
    });
    await t.db.dataSource.getRepository('Coupon').insert([
      coupon(1, 'available' as Coupon['status'], new Date(now.getTime() + day)),
      coupon(2, 'available' as Coupon['status'], second), // its last valid second is now: still usable
      coupon(3, 'available' as Coupon['status'], new Date(second.getTime() - 1000)), // lapsed, not yet swept
      coupon(4, 'redeemed' as Coupon['status'], new Date(now.getTime() + day)),
      coupon(5, 'expired' as Coupon['status'], new Date(now.getTime() - day)),
    ]);
    return memberId;
  }

  it('reads the card in one query, with the numbers the owners count', async () => {
    const memberId = await memberWithHistory(`card-${kind}`);
    const { result: card, queries } = await countQueries(() => cards.getCard(memberId));
    expect(queries).toHaveLength(1);

    const now = t.clock.now();
    const member = await t.app.get(MembersService).getMember(memberId);
    const spend = await spendInWindow(
      t.db.dataSource.manager,
      memberId,
      now,
      t.config.tierWindowMonths,
      t.config.businessCalendar.timeZone,
    );
    expect(spend).toBe(40_000);
    expect(card.spendFen).toBe(spend);
    expect(card.couponCount).toBe(await t.app.get(WalletService).usableCount(memberId));
    expect(card.couponCount).toBe(2);
    expect(card.pointsBalance).toBe(2 ** 33);
    expect(card.member).toEqual(t.app.get(MembersService).profileOf(member));
    expect(card.doublePointsUntil).toBe(member.doublePointsUntil!.toISOString());
    expect(card.tier.code).toBe('silver');
    expect(card.lifecycleStatus).toBe(member.lifecycleStatus);
  });

  it("reads the cards asked for at once in one statement, each the caller's own", async () => {
    const ids = await insertJoinedMembers(t.db.dataSource, 5, `batch-${kind}`, t.clock.now());
    const withHistory = await memberWithHistory(`batch-h-${kind}`);
    const asked = [...ids, withHistory, ids[0], 987_654_321];
    const alone = new Map<number, unknown>();
    for (const id of [...ids, withHistory]) alone.set(id, await cards.getCard(id));
    const { result, queries } = await countQueries(() => Promise.allSettled(asked.map((id) => cards.getCard(id))));
    expect(queries).toHaveLength(1);
    result.forEach((answer, i) => {
      if (asked[i] === 987_654_321) expect(answer).toMatchObject({ status: 'rejected', reason: { code: 'MEMBER_NOT_FOUND' } });
      else expect(answer).toEqual({ status: 'fulfilled', value: alone.get(asked[i]) });
    });
    // More than one statement's worth waiting: several statements, every card still answered.
    const many = Array.from({ length: 150 }, (_, i) => ids[i % ids.length]);
    const { result: cardsAtOnce, queries: statements } = await countQueries(() => Promise.all(many.map((id) => cards.getCard(id))));
    expect(statements).toHaveLength(3);
    expect(cardsAtOnce.map((card) => card.member.id)).toEqual(many);
  });

  it('answers MEMBER_NOT_FOUND for a member that does not exist', async () => {
    await expect(cards.getCard(987_654_321)).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND' });
  });
});
