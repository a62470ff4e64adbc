import type { CreateCampaignRequest } from '@member/shared';
import { TransactionRunner } from '../database/transaction-runner';
import { Member } from '../members/member.entity';
import { SaleSettlement } from '../orders/sale-settlement.service';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { startTestApp, type TestApp } from '../testing/test-app';
import { CampaignDailyReport } from './campaign-daily';
import { CampaignsService } from './campaigns.service';

/**
 * A run's revenue day by day (the console's chart over time): each business day (Asia/Shanghai, the first from
 * the run's start) gets what the treated and the held-out members paid, net of refunds; purchases before the run
 * and members outside it count nowhere; the days add up to the run report's totals.
 */
describe.each(TEST_DATABASES)('a campaign run day by day on %s', (kind) => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp(kind, { LOG_LEVEL: 'silent' });
  });
  afterAll(() => t?.close());
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  async function member(month: number): Promise<number> {
    const joinedAt = new Date(t.clock.now().getTime() - 86_400_000);
    const inserted = await t.db.dataSource.getRepository(Member).insert({
      openid: `o-daily-${kind}-${++seq}`,
      nickname: '会员',
      joinedAt,
      privacyAcceptedAt: joinedAt,
      privacyPolicyVersion: 'test',
      birthdayMonth: month,
      birthdayDay: 1,
    });
    return Number(inserted.identifiers[0].id);
  }
  const buy = async (memberId: number, at: string, paidFen: number) => {
    t.clock.set(at);
    await t.app.get(TransactionRunner).run((em) =>
      t.app.get(SaleSettlement).settleWithin(em, {
        memberId,
        staffOpenid: 'o-till',
        idempotencyKey: `daily-${kind}-${++seq}`,
        storeCode: 'S001',
        grossFen: paidFen,
        couponId: null,
        redemptionId: null,
        couponDiscountFen: 0,
        paidFen,
        burn: { points: 0 },
        now: t.clock.now(),
      }),
    );
  };

  it('splits the revenue by business day and by side, from the run’s start to today', async () => {
    t.clock.set('2026-12-01T01:00:00Z'); // 09:00 in Shanghai
    // 13 members in a row: the holdout (deterministic by id, 81‰ a step) takes some and leaves some.
    const ids: number[] = [];
    for (let i = 0; i < 13; i++) ids.push(await member(7));
    const outsider = await member(8);
    const campaigns = t.app.get(CampaignsService);
    const request: CreateCampaignRequest = {
      name: '按天',
      filter: { birthdayMonths: [7] },
      couponTemplateId: null,
      points: 10,
      messageKind: null,
      offerText: null,
      schedule: 'now',
      startsAt: null,
      dormantDays: null,
      daysBefore: null,
      holdoutPermille: 300,
      idempotencyKey: `daily-${kind}-campaign`,
    };
    // Bought before the run: not the campaign's doing.
    await buy(ids[0], '2026-12-01T01:30:00Z', 99_900);
    t.clock.set('2026-12-01T02:00:00Z');
    const campaign = await campaigns.create(request, 'o-boss');
    await campaigns.launch(campaign.id);
    await campaigns.tick();
    const [run] = (await campaigns.get(campaign.id)).runs;
    expect(run.status).toBe('done');
    const held = (
      (await t.db.dataSource.query('SELECT member_id AS id FROM campaign_member WHERE run_id = ? AND holdout = ?', [
        run.id,
        true,
      ])) as Array<{
        id: number | string;
      }>
    ).map((row) => Number(row.id));
    const treatedIds = ids.filter((id) => !held.includes(id));
    expect(held.length).toBeGreaterThan(0);
    expect(treatedIds.length).toBeGreaterThan(1);
    const [a, b] = treatedIds;
    const [h] = held;

    await buy(a, '2026-12-01T03:00:00Z', 10_000); // day 1
    await buy(b, '2026-12-01T15:59:59Z', 2_000); // day 1, 23:59:59
    await buy(h, '2026-12-01T15:59:59Z', 5_000); // day 1
    await buy(a, '2026-12-01T16:00:00Z', 3_000); // day 2, 00:00:00
    await buy(outsider, '2026-12-02T04:00:00Z', 50_000); // not in the run
    await buy(h, '2026-12-03T04:00:00Z', 7_000); // day 3
    t.clock.set('2026-12-03T09:00:00Z');

    const report = t.app.get(CampaignDailyReport);
    const daily = await report.daily(campaign.id, run.id, 31);
    expect(daily).toEqual({
      runId: run.id,
      treatedMembers: run.targeted - run.heldOut,
      holdoutMembers: run.heldOut,
      days: [
        { date: '2026-12-01', treatedRevenueFen: 12_000, holdoutRevenueFen: 5_000, treatedPurchasers: 2, holdoutPurchasers: 1 },
        { date: '2026-12-02', treatedRevenueFen: 3_000, holdoutRevenueFen: 0, treatedPurchasers: 1, holdoutPurchasers: 0 },
        { date: '2026-12-03', treatedRevenueFen: 0, holdoutRevenueFen: 7_000, treatedPurchasers: 0, holdoutPurchasers: 1 },
      ],
    });
    // The days add up to the run report's totals (the same members, the same "since the run started").
    const [totals] = (await campaigns.get(campaign.id)).runs;
    const sum = (pick: (day: (typeof daily.days)[number]) => number) => daily.days.reduce((s, day) => s + pick(day), 0);
    expect([sum((d) => d.treatedRevenueFen), sum((d) => d.holdoutRevenueFen)]).toEqual([
      totals.treatment.revenueFen,
      totals.holdout.revenueFen,
    ]);

    // Two days wide: the third is left out.
    expect((await report.daily(campaign.id, run.id, 2)).days.map((d) => d.date)).toEqual(['2026-12-01', '2026-12-02']);
    // A run of another campaign is not found under this one.
    expect(
      await report.daily(campaign.id + 1000, run.id, 31).then(
        () => 'no error',
        (e: { code?: string }) => e.code,
      ),
    ).toBe('CAMPAIGN_NOT_FOUND');
  });
});
