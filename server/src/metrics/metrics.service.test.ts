import type { CreateCampaignRequest, LifecycleStatus, TierCode } from '@member/shared';
import type { StaffAccount } from '../auth/staff.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { ClaimService } from '../coupons/claim.service';
import { TemplatesService } from '../coupons/templates.service';
import { issueMemberCode } from '../members/member-code';
import { Member } from '../members/member.entity';
import { MessagesService } from '../messages/messages.service';
import { OutboxSender } from '../messages/outbox-sender';
import { PurchasesService } from '../orders/purchases.service';
import { PointsExpiryJob } from '../points/points-expiry.job';
import { PointsShopService } from '../points/points-shop.service';
import { RfmRefreshJob } from '../segments/rfm-refresh.job';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { openidFor, TEST_APP } from '../testing/emulator';
import { expectInvariants } from '../testing/invariants';
import { codeOf, keyMaker } from '../testing/spec';
import { startTestApp, type TestApp } from '../testing/test-app';
import { campaignRoi } from './dashboard-kpis';
import { MetricsDashboardService } from './metrics-dashboard.service';
import { MetricsSnapshotJob } from './metrics-snapshot.job';
import { dayCount, daysBetween, MetricsSnapshotService } from './metrics-snapshot.service';
import { JobRunner } from '../jobs/job-runner';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { ExportService } from '../data-transfer/export.service';

type Row = Record<string, unknown>;
type Json = any;

/**
 * Every figure of the snapshot job against an independent computation written here, on data made by the real
 * services (till purchases with coupons and points, a refund, a campaign with a holdout, coupons and messages,
 * the points shop, the expiry sweep, the RFM refresh). The expected values are computed with plain SQL over
 * the raw tables and a little arithmetic in the test, never with the module's statements; the business day is
 * Asia/Shanghai, UTC+8 all year, so its bounds are written out here by hand.
 */

/** The UTC instant a Shanghai day starts, as 'YYYY-MM-DD HH:MM:SS' (comparable with both databases' datetimes). */
function shanghaiStart(day: string): string {
  return new Date(`${day}T00:00:00+08:00`).toISOString().slice(0, 19).replace('T', ' ');
}
function nextDay(day: string, n = 1): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
function bounds(day: string) {
  return { s: shanghaiStart(day), e: shanghaiStart(nextDay(day)) };
}
/** The Shanghai month ('YYYY-MM') of an instant. */
function shanghaiMonth(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 7);
}
const num = (value: unknown) => Number(value ?? 0);

const DAYS = ['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-29', '2026-11-30', '2026-12-01'];

describe.each(TEST_DATABASES)('metrics snapshots on %s', (kind) => {
  let t: TestApp;
  let snapshots: MetricsSnapshotService;
  const key = keyMaker(`metrics-${kind}`);
  const q = (sql: string, params: unknown[] = []): Promise<Row[]> => t.db.dataSource.query(sql, params);
  const admin: StaffAccount = { id: 1, openid: 'o-admin', role: 'admin', name: null, stores: [] };
  const manager: StaffAccount = { id: 2, openid: 'o-mgr', role: 'store_manager', name: null, stores: ['S001'] };
  let campaignId = 0;
  let runId = 0;
  let runStartedAt = new Date(0);
  const segmentsAt = new Map<string, Map<number, string>>();
  let seq = 0;

  const emulatorPost = async (path: string, body: unknown): Promise<Json> =>
    (
      await fetch(`${t.emulator.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json();

  async function member(joinedAt: string, extra: { tier?: TierCode; lifecycle?: LifecycleStatus; birthdayMonth?: number } = {}) {
    const user = `mx-${kind}-${++seq}`;
    const at = new Date(joinedAt);
    const inserted = await t.db.dataSource.getRepository(Member).insert({
      openid: openidFor(TEST_APP.appid, user),
      joinedAt: at,
      privacyAcceptedAt: at,
      privacyPolicyVersion: 'test',
      tier: extra.tier ?? 'normal',
      lifecycleStatus: extra.lifecycle ?? 'new',
      birthdayMonth: extra.birthdayMonth ?? null,
      birthdayDay: extra.birthdayMonth ? 1 : null,
    });
    await emulatorPost('/dev/login-code', { appid: TEST_APP.appid, user });
    return { id: Number(inserted.identifiers[0].id), user };
  }
  const buy = (memberId: number, amountFen: number, extra: { storeCode?: string; couponCode?: string; pointsToBurn?: number } = {}) =>
    t.app.get(PurchasesService).record(
      {
        memberCode: issueMemberCode({ secret: t.config.security.memberCodeSecret, ...t.config.memberCode }, memberId, t.clock.now()).code,
        amountFen,
        storeCode: extra.storeCode ?? 'S001',
        couponCode: extra.couponCode,
        pointsToBurn: extra.pointsToBurn,
        idempotencyKey: key(),
      },
      'o-clerk',
    );
  async function captureSegments(month: string) {
    await t.app.get(RfmRefreshJob).refresh();
    const rows = await q('SELECT member_id AS id, segment FROM member_rfm WHERE segment IS NOT NULL');
    segmentsAt.set(month, new Map(rows.map((r) => [num(r.id), String(r.segment)])));
  }

  beforeAll(async () => {
    t = await startTestApp(kind, { LOG_LEVEL: 'silent' });
    snapshots = t.app.get(MetricsSnapshotService);
    t.clock.set('2026-11-23T02:00:00Z'); // 10:00 on Monday 23 November in Shanghai
    const templates = t.app.get(TemplatesService);
    const claims = t.app.get(ClaimService);

    // Members across cohorts and on both sides of a midnight (Shanghai 23:30 on the 22nd, 01:00 on the 23rd).
    // One at a time: the inserted id is read back per insert (sql.js has one connection).
    const many = async (count: number, joinedAt: string, extra: Parameters<typeof member>[1] = {}) => {
      const out: Array<{ id: number; user: string }> = [];
      for (let i = 0; i < count; i++) out.push(await member(joinedAt, extra));
      return out;
    };
    const old = await many(3, '2026-09-15T04:00:00Z', { tier: 'silver', lifecycle: 'active' });
    const october = await many(4, '2026-10-10T04:00:00Z', { tier: 'gold', lifecycle: 'regular' });
    await member('2026-11-22T15:30:00Z');
    const early = await member('2026-11-22T17:00:00Z');
    const audience = await many(10, '2026-11-01T04:00:00Z', { birthdayMonth: 7 });

    // Day 1 (23rd): a coupon template, claims, the campaign (holdout, points, coupon, message), sales.
    const coupon = await templates.create(templateRequest(t.clock.now(), { name: '满200减20', totalStock: 100 }));
    const shopTemplate = await templates.create(
      templateRequest(t.clock.now(), { name: '积分兑换券', totalStock: 100, pointsPrice: 100, perMemberLimit: 5 }),
    );
    const campaignTemplate = await templates.create(templateRequest(t.clock.now(), { name: '回归礼券', totalStock: 100 }));
    const claimed = await claims.claim(old[2].id, coupon.id, key());
    await claims.claim(october[0].id, coupon.id, key()); // never used: expires on the 29th
    for (const m of audience.slice(0, 5)) {
      const { errMsg: _e, ...results } = await emulatorPost('/dev/subscribe', {
        appid: TEST_APP.appid,
        user: m.user,
        tmplIds: [t.config.messages.templates.coupon_arrived.templateId],
      });
      await t.app.get(MessagesService).report(m.id, { results, moment: 'notify_me', idempotencyKey: key() });
    }
    const campaigns = t.app.get(CampaignsService);
    const request: CreateCampaignRequest = {
      name: '回归礼',
      filter: { birthdayMonths: [7] },
      couponTemplateId: campaignTemplate.id,
      points: 200,
      messageKind: 'coupon_arrived',
      offerText: null,
      schedule: 'now',
      startsAt: null,
      dormantDays: null,
      daysBefore: null,
      holdoutPermille: 300,
      idempotencyKey: key(),
    };
    campaignId = (await campaigns.create(request, 'o-boss')).id;
    await campaigns.launch(campaignId);
    await campaigns.tick();
    for (let i = 0; i < 10; i++) {
      if ((await t.app.get(OutboxSender).runOnce()).claimed === 0) break;
      t.clock.advance(1);
    }
    const [run] = await q('SELECT id, started_at AS startedAt FROM campaign_run WHERE campaign_id = ?', [campaignId]);
    runId = num(run.id);
    runStartedAt = new Date(String((await campaigns.get(campaignId)).runs[0].startedAt));

    await buy(old[0].id, 30_000);
    await buy(old[0].id, 5_000);
    const refunded = await buy(old[1].id, 12_000, { storeCode: 'S002' });
    await buy(old[2].id, 25_000, { couponCode: claimed.code });
    await buy(early.id, 8_000, { storeCode: 'S002' });
    const treated: number[] = (await q('SELECT member_id AS id FROM campaign_member WHERE run_id = ? AND holdout = ?', [runId, false])).map(
      (r) => num(r.id),
    );
    const heldOut: number[] = (await q('SELECT member_id AS id FROM campaign_member WHERE run_id = ? AND holdout = ?', [runId, true])).map(
      (r) => num(r.id),
    );
    expect(treated.length).toBeGreaterThan(0);
    expect(heldOut.length).toBeGreaterThan(0);

    // Day 2 (24th): a refund of yesterday's sale, treated and held-out members buy (one with the campaign's
    // coupon, one with points), the points shop, a late buyer at another store.
    t.clock.set('2026-11-24T03:00:00Z');
    await t.app.get(PurchasesService).refund(refunded.id, { amountFen: 12_000, refundNo: key() }, 'o-clerk');
    const [campaignCoupon] = await q('SELECT code FROM coupon WHERE member_id = ? AND template_id = ?', [treated[0], campaignTemplate.id]);
    await buy(treated[0], 40_000, { couponCode: String(campaignCoupon.code) });
    await buy(treated[1], 15_000, { storeCode: 'S003', pointsToBurn: 100 });
    await buy(heldOut[0], 9_000);
    await buy(old[0].id, 7_000, { storeCode: 'S002' });
    await t.app.get(PointsShopService).exchange(old[0].id, shopTemplate.id, key());
    await captureSegments('2026-11');
    await snapshots.snapshotDay('2026-11-24'); // today: takes November's segment snapshot

    // 1 December: more sales, December's segments.
    t.clock.set('2026-12-01T04:00:00Z');
    await buy(october[1].id, 22_000);
    await buy(october[2].id, 3_000, { storeCode: 'S003' });
    await buy(treated[2], 6_000);
    await captureSegments('2026-12');
    await snapshots.snapshotDay('2026-12-01');

    // 1 January 2028: the points of 2026 have expired.
    t.clock.set('2028-01-01T02:00:00Z');
    expect(await t.app.get(PointsExpiryJob).sweep()).toBeGreaterThan(0);
    await snapshots.backfill(DAYS[0], DAYS[DAYS.length - 1]);
    await snapshots.snapshotDay('2028-01-01');
  });
  afterAll(() => t?.close());
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  const dayRows = async (day: string) =>
    (await q('SELECT store_code AS store, metric, value FROM metric_day WHERE day = ?', [day]))
      .map((r) => `${r.store}|${r.metric}|${num(r.value)}`)
      .sort();
  const stored = async (day: string, prefix: RegExp) => (await dayRows(day)).filter((row) => prefix.test(row.split('|')[1]));
  const rowsOf = (entries: Array<[string, string, number]>) =>
    entries.map(([store, metric, value]) => `${store}|${metric}|${value}`).sort();

  it.each(DAYS)('members new, total, by tier and by lifecycle on %s', async (day) => {
    const { s, e } = bounds(day);
    const expected: Array<[string, string, number]> = [
      ['', 'members_new', num((await q('SELECT COUNT(*) AS n FROM member WHERE joined_at >= ? AND joined_at < ?', [s, e]))[0].n)],
      ['', 'members_total', num((await q('SELECT COUNT(*) AS n FROM member WHERE joined_at IS NOT NULL AND joined_at < ?', [e]))[0].n)],
    ];
    for (const r of await q('SELECT tier AS k, COUNT(*) AS n FROM member WHERE joined_at < ? GROUP BY tier', [e]))
      expected.push(['', `members_tier_${r.k}`, num(r.n)]);
    for (const r of await q('SELECT lifecycle_status AS k, COUNT(*) AS n FROM member WHERE joined_at < ? GROUP BY lifecycle_status', [e]))
      expected.push(['', `members_lifecycle_${r.k}`, num(r.n)]);
    expect(await stored(day, /^members_/)).toEqual(rowsOf(expected));
  });

  it('counts a member who joined at 23:30 on the day before midnight, and one at 01:00 on the day after', async () => {
    expect(await stored('2026-11-22', /^members_new$/)).toEqual(['|members_new|1']);
    expect(await stored('2026-11-23', /^members_new$/)).toEqual(['|members_new|1']);
  });

  /** Visits: sales not refunded in full, as the README defines them (written differently on purpose). */
  const VISIT_TEST = 'NOT (refunded_fen > 0 AND refunded_fen >= paid_fen)';

  it.each(DAYS)('member sales, purchases and buyers by store and chain on %s', async (day) => {
    const { s, e } = bounds(day);
    const expected: Array<[string, string, number]> = [];
    const perStore = await q(
      `SELECT store_code AS store, SUM(paid_fen) - SUM(refunded_fen) AS sales, SUM(CASE WHEN ${VISIT_TEST} THEN 1 ELSE 0 END) AS visits
         FROM purchase WHERE purchased_at >= ? AND purchased_at < ? GROUP BY store_code`,
      [s, e],
    );
    for (const r of perStore) {
      const buyers = await q(
        `SELECT COUNT(*) AS n FROM (SELECT DISTINCT member_id FROM purchase WHERE store_code = ? AND purchased_at >= ?
          AND purchased_at < ? AND ${VISIT_TEST}) b`,
        [r.store, s, e],
      );
      expected.push([String(r.store), 'member_sales_fen', num(r.sales)], [String(r.store), 'member_purchases', num(r.visits)]);
      expected.push([String(r.store), 'buyers', num(buyers[0].n)]);
    }
    const [all] = await q(
      `SELECT SUM(paid_fen) - SUM(refunded_fen) AS sales, SUM(CASE WHEN ${VISIT_TEST} THEN 1 ELSE 0 END) AS visits
        FROM purchase WHERE purchased_at >= ? AND purchased_at < ?`,
      [s, e],
    );
    const [buyers] = await q(
      `SELECT COUNT(*) AS n FROM (SELECT DISTINCT member_id FROM purchase WHERE purchased_at >= ? AND purchased_at < ?
        AND ${VISIT_TEST}) b`,
      [s, e],
    );
    expected.push(['', 'member_sales_fen', num(all.sales)], ['', 'member_purchases', num(all.visits)], ['', 'buyers', num(buyers.n)]);
    expect(await stored(day, /^(member_sales_fen|member_purchases|buyers)$/)).toEqual(rowsOf(expected));
  });

  it('nets a refund into the day of the sale it refunds: the refunded sale is no visit', async () => {
    expect(await stored('2026-11-23', /^member_purchases$/)).toContain('S002|member_purchases|1'); // the refunded one is gone
    expect(await stored('2026-11-23', /^member_sales_fen$/)).toContain('S002|member_sales_fen|8000');
  });

  it.each(DAYS)('active members (90 days) and repurchase (30 days rolling) by store and chain on %s', async (day) => {
    const { e } = bounds(day);
    const since = (days: number) => shanghaiStart(nextDay(day, 1 - days));
    const expected: Array<[string, string, number]> = [];
    const visitors = async (from: string) =>
      q(
        `SELECT store_code AS store, member_id AS m, COUNT(*) AS n FROM purchase WHERE purchased_at >= ? AND purchased_at < ?
          AND ${VISIT_TEST} GROUP BY store_code, member_id`,
        [from, e],
      );
    const active = await visitors(since(90));
    const window = await visitors(since(30));
    // Every store with a visit in the wider window (90 days) has all three figures, 0 where none.
    for (const store of [...new Set(active.map((r) => String(r.store)))]) {
      const mine = window.filter((r) => r.store === store);
      expected.push([store, 'active_members', active.filter((r) => r.store === store).length]);
      expected.push([store, 'buyers_window', mine.length], [store, 'repeat_buyers_window', mine.filter((r) => num(r.n) >= 2).length]);
    }
    expected.push(['', 'active_members', new Set(active.map((r) => num(r.m))).size]);
    const perMember = new Map<number, number>();
    for (const r of window) perMember.set(num(r.m), (perMember.get(num(r.m)) ?? 0) + num(r.n));
    expected.push(
      ['', 'buyers_window', perMember.size],
      ['', 'repeat_buyers_window', [...perMember.values()].filter((n) => n >= 2).length],
    );
    expect(await stored(day, /^(active_members|buyers_window|repeat_buyers_window)$/)).toEqual(rowsOf(expected));
  });

  it.each([...DAYS, '2028-01-01'])('points issued, spent, expired, clawed back and outstanding on %s', async (day) => {
    const { s, e } = bounds(day);
    const byReason = await q(
      'SELECT reason, SUM(delta) AS total FROM points_ledger WHERE created_at >= ? AND created_at < ? GROUP BY reason',
      [s, e],
    );
    const [negativeAdjust] = await q(
      "SELECT SUM(delta) AS total FROM points_ledger WHERE reason = 'adjust' AND delta < 0 AND created_at >= ? AND created_at < ?",
      [s, e],
    );
    const sum = (...reasons: string[]) => byReason.filter((r) => reasons.includes(String(r.reason))).reduce((a, r) => a + num(r.total), 0);
    const all = byReason.reduce((a, r) => a + num(r.total), 0);
    const spent = -sum('burn', 'exchange', 'restore');
    const expired = -sum('expire');
    const clawed = -sum('clawback') - num(negativeAdjust.total);
    const [outstanding] = await q('SELECT SUM(delta) AS total FROM points_ledger WHERE created_at < ?', [e]);
    expect(await stored(day, /^points_/)).toEqual(
      rowsOf([
        ['', 'points_issued', all + spent + expired + clawed],
        ['', 'points_spent', spent],
        ['', 'points_expired', expired],
        ['', 'points_clawed_back', clawed],
        ['', 'points_outstanding', num(outstanding.total)],
      ]),
    );
  });

  it('saw every kind of points movement somewhere, and outstanding points end equal to the members’ balances', async () => {
    const totals = new Map<string, number>();
    for (const day of [...DAYS, '2028-01-01'])
      for (const row of await stored(day, /^points_(issued|spent|expired|clawed_back)$/)) {
        const [, metric, value] = row.split('|');
        totals.set(metric, (totals.get(metric) ?? 0) + Number(value));
      }
    for (const metric of ['points_issued', 'points_spent', 'points_expired', 'points_clawed_back'])
      expect(totals.get(metric)).toBeGreaterThan(0);
    const [balances] = await q('SELECT SUM(points_balance) AS total FROM member');
    expect(await stored('2028-01-01', /^points_outstanding$/)).toEqual([`|points_outstanding|${num(balances.total)}`]);
  });

  it.each(DAYS)('coupons issued, redeemed and expired, by store, template and campaign on %s', async (day) => {
    const { s, e } = bounds(day);
    const expected: Array<[string, string, number]> = [];
    const [issued] = await q('SELECT COUNT(*) AS n FROM coupon WHERE claimed_at >= ? AND claimed_at < ?', [s, e]);
    const [expired] = await q(
      "SELECT COUNT(*) AS n FROM coupon WHERE valid_until >= ? AND valid_until < ? AND status IN ('available', 'expired')",
      [s, e],
    );
    const redemptions = await q(
      `SELECT r.store_code AS store, r.discount_fen AS discount, c.template_id AS template, c.idempotency_key AS k
        FROM coupon_redemption r JOIN coupon c ON c.id = r.coupon_id
        WHERE r.status = 'redeemed' AND r.redeemed_at >= ? AND r.redeemed_at < ?`,
      [s, e],
    );
    expected.push(['', 'coupons_issued', num(issued.n)], ['', 'coupons_expired', num(expired.n)]);
    expected.push(
      ['', 'coupons_redeemed', redemptions.length],
      ['', 'coupon_discount_fen', redemptions.reduce((a, r) => a + num(r.discount), 0)],
    );
    for (const store of [...new Set(redemptions.filter((r) => r.store !== null).map((r) => String(r.store)))]) {
      const mine = redemptions.filter((r) => r.store === store);
      expected.push(
        [store, 'coupons_redeemed', mine.length],
        [store, 'coupon_discount_fen', mine.reduce((a, r) => a + num(r.discount), 0)],
      );
    }
    expect(await stored(day, /^coupon/)).toEqual(rowsOf(expected));

    // By template and by campaign, from the coupons' own rows.
    type CouponEvent = { template: unknown; k: unknown; discount: unknown; what: string };
    const events: CouponEvent[] = [
      ...(await q('SELECT template_id AS template, idempotency_key AS k FROM coupon WHERE claimed_at >= ? AND claimed_at < ?', [s, e])).map(
        (r) => ({ template: r.template, k: r.k, what: 'issued', discount: 0 }),
      ),
      ...redemptions.map((r) => ({ template: r.template, k: r.k, discount: r.discount, what: 'redeemed' })),
      ...(
        await q(
          `SELECT template_id AS template, idempotency_key AS k FROM coupon WHERE valid_until >= ? AND valid_until < ?
            AND status IN ('available', 'expired')`,
          [s, e],
        )
      ).map((r) => ({ template: r.template, k: r.k, what: 'expired', discount: 0 })),
    ];
    const tally = (list: typeof events) =>
      [
        list.filter((x) => x.what === 'issued').length,
        list.filter((x) => x.what === 'redeemed').length,
        list.filter((x) => x.what === 'expired').length,
        list.reduce((a, x) => a + num(x.discount), 0),
      ].join('|');
    const expectedBreakdown = [...new Set(events.map((x) => num(x.template)))].map(
      (id) => `template|${id}|${tally(events.filter((x) => num(x.template) === id))}`,
    );
    const ofCampaign = events.filter((x) => x.k === `campaign-run:${runId}`);
    if (ofCampaign.length > 0) expectedBreakdown.push(`campaign|${campaignId}|${tally(ofCampaign)}`);
    const breakdown = (
      await q('SELECT dimension, ref_id AS ref, issued, redeemed, expired, discount_fen AS discount FROM metric_coupon_day WHERE day = ?', [
        day,
      ])
    ).map((r) => `${r.dimension}|${num(r.ref)}|${num(r.issued)}|${num(r.redeemed)}|${num(r.expired)}|${num(r.discount)}`);
    expect(breakdown.sort()).toEqual(expectedBreakdown.sort());
  });

  it('the campaign’s coupons show under the campaign, and unused coupons expire on their last valid day', async () => {
    const [row] = await q(
      "SELECT issued, redeemed FROM metric_coupon_day WHERE dimension = 'campaign' AND ref_id = ? AND day = '2026-11-23'",
      [campaignId],
    );
    expect(num(row.issued)).toBeGreaterThan(0);
    expect(
      num((await q("SELECT SUM(expired) AS n FROM metric_coupon_day WHERE day = '2026-11-29' AND dimension = 'template'"))[0].n),
    ).toBeGreaterThan(0);
  });

  it.each(DAYS)('messages by kind and outcome, sent, attempted and reach on %s', async (day) => {
    const { s, e } = bounds(day);
    const outbox = await q(
      'SELECT kind, status, skip_reason AS reason, errcode FROM message_outbox WHERE created_at >= ? AND created_at < ?',
      [s, e],
    );
    const outcomes = new Map<string, number>();
    for (const m of outbox) {
      const outcome =
        m.status === 'failed'
          ? `failed:${m.errcode ?? 'unknown'}`
          : m.status === 'skipped'
            ? `skipped:${m.reason ?? 'unknown'}`
            : String(m.status);
      outcomes.set(`${m.kind}|${outcome}`, (outcomes.get(`${m.kind}|${outcome}`) ?? 0) + 1);
    }
    const breakdown = (await q('SELECT kind, outcome, messages FROM metric_message_day WHERE day = ?', [day])).map(
      (r) => `${r.kind}|${r.outcome}|${num(r.messages)}`,
    );
    expect(breakdown.sort()).toEqual([...outcomes].map(([k, n]) => `${k}|${n}`).sort());

    // Reach: of the treated members of message campaigns started that day, those a message was queued for.
    const runs = await q(
      `SELECT r.id, c.message_kind AS kind FROM campaign_run r JOIN campaign c ON c.id = r.campaign_id
        WHERE c.message_kind IS NOT NULL AND r.started_at >= ? AND r.started_at < ?`,
      [s, e],
    );
    let targeted = 0;
    let reachable = 0;
    for (const run of runs) {
      const treated = (await q('SELECT member_id AS m FROM campaign_member WHERE run_id = ? AND holdout = ?', [run.id, false])).map((r) =>
        num(r.m),
      );
      targeted += treated.length;
      const queued = await q(
        `SELECT DISTINCT member_id AS m FROM message_outbox WHERE kind = ? AND member_id IN (${treated.join(', ') || 'NULL'})
          AND created_at >= ?`,
        [run.kind, s],
      );
      reachable += queued.length;
    }
    const sent = outbox.filter((m) => m.status === 'sent').length;
    const attempted = outbox.filter((m) => ['sent', 'failed', 'sending'].includes(String(m.status))).length;
    expect(await stored(day, /^message/)).toEqual(
      rowsOf([
        ['', 'messages_sent', sent],
        ['', 'messages_attempted', attempted],
        ['', 'message_targeted', targeted],
        ['', 'message_reachable', reachable],
      ]),
    );
  });

  it('the campaign day reaches half its treated members (five of them subscribed)', async () => {
    const rows = await stored('2026-11-23', /^message_(targeted|reachable)$/);
    const value = (metric: string) => Number(rows.find((r) => r.includes(`|${metric}|`))!.split('|')[2]);
    expect(value('message_targeted')).toBeGreaterThan(0);
    expect(value('message_reachable')).toBeGreaterThan(0);
    expect(value('message_reachable')).toBeLessThan(value('message_targeted'));
  });

  it.each(DAYS)('campaign treated vs holdout revenue and cost on %s', async (day) => {
    const { e } = bounds(day);
    const rows = await q(
      `SELECT run_id AS run, campaign_id AS c, treated, holdout, treated_revenue_fen AS tr, holdout_revenue_fen AS hr,
        discount_fen AS d, points_cost_fen AS p FROM metric_campaign_day WHERE day = ?`,
      [day],
    );
    const started = runStartedAt.getTime();
    const windowEnd = new Date(Math.min(started + 30 * 86_400_000, Date.parse(`${e.replace(' ', 'T')}Z`)));
    if (started >= Date.parse(`${e.replace(' ', 'T')}Z`) || day > '2026-12-23') {
      expect(rows).toEqual([]);
      return;
    }
    const to = windowEnd.toISOString().slice(0, 19).replace('T', ' ');
    const from = runStartedAt.toISOString().slice(0, 19).replace('T', ' ');
    const side = async (holdout: boolean) => {
      const ids = (await q('SELECT member_id AS m FROM campaign_member WHERE run_id = ? AND holdout = ?', [runId, holdout])).map((r) =>
        num(r.m),
      );
      const [rev] = await q(
        `SELECT SUM(paid_fen - refunded_fen) AS v FROM purchase WHERE member_id IN (${ids.join(', ')}) AND purchased_at >= ?
          AND purchased_at < ?`,
        [from, to],
      );
      return { n: ids.length, revenue: num(rev.v) };
    };
    const treated = await side(false);
    const held = await side(true);
    const [discount] = await q(
      `SELECT SUM(r.discount_fen) AS v FROM coupon_redemption r JOIN coupon c ON c.id = r.coupon_id
        WHERE c.idempotency_key = ? AND r.status = 'redeemed' AND r.redeemed_at < ?`,
      [`campaign-run:${runId}`, to],
    );
    const [points] = await q('SELECT SUM(delta) AS v FROM points_ledger WHERE source_key LIKE ? AND created_at < ?', [
      `campaign-run:${runId}:member:%`,
      to,
    ]);
    expect(rows.map((r) => Object.values(r).map(num))).toEqual([
      [runId, campaignId, treated.n, held.n, treated.revenue, held.revenue, num(discount.v), num(points.v)], // 100 points = ¥1 = 100 fen
    ]);
  });

  it('campaign ROI per product.md: (lift × treated − cost) ÷ cost', () => {
    // 10 treated spent ¥1,000, 5 held out ¥300: lift = ¥100 − ¥60 = ¥40 a member, ¥400 in all; cost ¥50 + ¥30.
    expect(
      campaignRoi({
        treated: 10,
        holdout: 5,
        treatedRevenueFen: 100_000,
        holdoutRevenueFen: 30_000,
        discountFen: 5_000,
        pointsCostFen: 3_000,
      }),
    ).toEqual({
      liftPerMemberFen: 4_000,
      roiPermille: 4_000,
    });
    expect(campaignRoi({ treated: 10, holdout: 0, treatedRevenueFen: 1, holdoutRevenueFen: 0, discountFen: 1, pointsCostFen: 0 })).toEqual({
      liftPerMemberFen: null,
      roiPermille: null,
    });
  });

  it('keeps each month’s segments and counts the moves from November to December', async () => {
    for (const month of ['2026-11', '2026-12']) {
      const rows = await q('SELECT member_id AS m, segment FROM member_segment_month WHERE month = ?', [month]);
      expect(new Map(rows.map((r) => [num(r.m), String(r.segment)]))).toEqual(segmentsAt.get(month));
    }
    const before = segmentsAt.get('2026-11')!;
    const moves = new Map<string, number>();
    for (const [memberId, segment] of segmentsAt.get('2026-12')!) {
      const k = `${before.get(memberId) ?? 'none'}>${segment}`;
      moves.set(k, (moves.get(k) ?? 0) + 1);
    }
    const stored = (
      await q("SELECT from_segment AS f, to_segment AS t, members FROM metric_segment_migration WHERE month = '2026-12'")
    ).map((r) => `${r.f}>${r.t}|${num(r.members)}`);
    expect(stored.sort()).toEqual([...moves].map(([k, n]) => `${k}|${n}`).sort());
    expect([...moves.keys()].some((k) => k.split('>')[0] !== k.split('>')[1])).toBe(true);
  });

  it.each(['2026-11', '2026-12'])('retention cohorts by join month in %s', async (month) => {
    const monthStart = shanghaiStart(`${month}-01`);
    const monthEnd = shanghaiStart(month === '2026-11' ? '2026-12-01' : '2027-01-01');
    const members = await q('SELECT id, joined_at AS joined FROM member WHERE joined_at IS NOT NULL AND joined_at < ?', [monthEnd]);
    const buyers = new Set(
      (
        await q(`SELECT DISTINCT member_id AS m FROM purchase WHERE purchased_at >= ? AND purchased_at < ? AND ${VISIT_TEST}`, [
          monthStart,
          monthEnd,
        ])
      ).map((r) => num(r.m)),
    );
    const cohorts = new Map<string, { n: number; r: number }>();
    for (const m of members) {
      const joined = m.joined instanceof Date ? m.joined : new Date(`${String(m.joined).replace(' ', 'T')}Z`);
      const c = cohorts.get(shanghaiMonth(joined)) ?? { n: 0, r: 0 };
      c.n++;
      if (buyers.has(num(m.id))) c.r++;
      cohorts.set(shanghaiMonth(joined), c);
    }
    const rows = (await q('SELECT cohort, members, retained FROM metric_cohort WHERE month = ?', [month])).map(
      (r) => `${r.cohort}|${num(r.members)}|${num(r.retained)}`,
    );
    expect(rows.sort()).toEqual([...cohorts].map(([c, v]) => `${c}|${v.n}|${v.r}`).sort());
    expect([...cohorts.values()].some((v) => v.r > 0)).toBe(true);
  });

  const dump = async () => {
    const tables = [
      'SELECT store_code, day, metric, value FROM metric_day ORDER BY store_code, day, metric',
      'SELECT * FROM metric_coupon_day ORDER BY day, dimension, ref_id',
      'SELECT * FROM metric_message_day ORDER BY day, kind, outcome',
      'SELECT * FROM metric_campaign_day ORDER BY day, run_id',
      'SELECT * FROM metric_segment_migration ORDER BY month, from_segment, to_segment',
      'SELECT * FROM metric_cohort ORDER BY cohort, month',
    ];
    const out: string[] = [];
    for (const sql of tables) for (const row of await q(sql)) out.push(Object.values(row).map(String).join('|'));
    return out;
  };

  it('is idempotent: running the same days again writes the same rows', async () => {
    const before = await dump();
    expect(before.length).toBeGreaterThan(100);
    await snapshots.snapshotDay('2026-11-23');
    await snapshots.backfill('2026-11-24', '2026-11-25');
    expect(await dump()).toEqual(before);
  });

  it('backfills a range from nothing to the same rows the days had', async () => {
    const before = await dump();
    for (const table of ['metric_day', 'metric_coupon_day', 'metric_message_day', 'metric_campaign_day']) await q(`DELETE FROM ${table}`);
    await q("DELETE FROM metric_cohort WHERE month <> '2028-01'");
    expect((await dump()).length).toBeLessThan(before.length);
    expect(await snapshots.backfill(DAYS[0], DAYS[DAYS.length - 1])).toMatchObject({ days: 10 });
    await snapshots.snapshotDay('2028-01-01');
    expect(await dump()).toEqual(before);
    expect(codeOf(await snapshots.snapshotDay('2028-01-02').catch((e) => e))).toBe('METRICS_DAY_IN_FUTURE');
    expect(codeOf(await snapshots.backfill('2026-01-01', '2027-12-31').catch((e) => e))).toBe('METRICS_RANGE_TOO_LONG');
  });

  if (kind === 'mariadb')
    it('two instances snapshotting the same day at once leave the same rows as one', async () => {
      const before = await dump();
      await Promise.all([snapshots.snapshotDay('2026-11-24'), snapshots.snapshotDay('2026-11-24'), snapshots.snapshotDay('2026-11-24')]);
      expect(await dump()).toEqual(before);
    });

  it('the dashboard sums flows, takes stocks on the last day and rates from the sums, with targets', async () => {
    const dashboard = await t.app.get(MetricsDashboardService).dashboard(admin, { from: '2026-11-22', to: '2026-11-25' });
    const kpi = (k: string) => dashboard.kpis.find((x) => x.key === k)!;
    const sumOf = async (metric: string) =>
      num(
        (
          await q(
            "SELECT SUM(value) AS v FROM metric_day WHERE store_code = '' AND metric = ? AND day >= '2026-11-22' AND day <= '2026-11-25'",
            [metric],
          )
        )[0].v,
      );
    const on = async (metric: string, day: string) =>
      num((await q("SELECT value AS v FROM metric_day WHERE store_code = '' AND metric = ? AND day = ?", [metric, day]))[0]?.v);
    expect(kpi('member_sales').value).toBe(await sumOf('member_sales_fen'));
    expect(kpi('members_total').value).toBe(await on('members_total', '2026-11-25'));
    const issued = await sumOf('points_issued');
    expect(issued).toBeGreaterThan(0);
    expect(kpi('points_redemption_rate')).toMatchObject({
      unit: 'permille',
      target: 300,
      value: Math.round((1000 * (await sumOf('points_spent'))) / issued),
    });
    expect(kpi('points_redemption_rate').met).toBe(kpi('points_redemption_rate').value >= 300);
    expect(kpi('points_liability')).toMatchObject({ unit: 'fen', value: await on('points_outstanding', '2026-11-25') });
    expect(kpi('message_reach_rate')).toMatchObject({ target: 800, met: kpi('message_reach_rate').value >= 800 });
    expect(dashboard.series.member_sales.map((p) => p.day)).toEqual(['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25']);
    expect(dashboard.asOf).not.toBeNull();

    const store = await t.app.get(MetricsDashboardService).dashboard(manager, { from: '2026-11-22', to: '2026-11-25' });
    expect(store.store).toBe('S001');
    expect(store.kpis.map((k) => k.key)).not.toContain('members_total');
    const [s001] = await q(
      `SELECT SUM(value) AS v FROM metric_day WHERE store_code = 'S001' AND metric = 'member_sales_fen'
        AND day >= '2026-11-22' AND day <= '2026-11-25'`,
    );
    expect(store.kpis.find((k) => k.key === 'member_sales')!.value).toBe(num(s001.v));
    const refused = await t.app
      .get(MetricsDashboardService)
      .dashboard(manager, { from: '2026-11-22', to: '2026-11-25', store: 'S002' })
      .catch((e) => e);
    expect(codeOf(refused)).toBe('STORE_NOT_YOURS');
    // A range is judged by its length before any day of it is listed: 0001 to 9999 is 3.65 million days, which
    // once held the server's thread for about 40 s before this answer.
    const endless = await t.app
      .get(MetricsDashboardService)
      .dashboard(manager, { from: '0001-01-01', to: '9999-12-31' })
      .catch((e) => e);
    expect(codeOf(endless)).toBe('METRICS_RANGE_TOO_LONG');
    expect(codeOf(await snapshots.backfill('0001-01-01', '9999-12-31').catch((e) => e))).toBe('METRICS_RANGE_TOO_LONG');
    expect([dayCount('2024-02-28', '2024-03-01'), dayCount('2026-11-25', '2026-11-25'), dayCount('2026-11-25', '2026-11-24')]).toEqual([
      3, 1, 0,
    ]);
    expect(dayCount('2023-12-30', '2028-01-02')).toBe(daysBetween('2023-12-30', '2028-01-02').length);
    expect(
      codeOf(
        await t.app
          .get(MetricsDashboardService)
          .coupons(manager, { from: '2026-11-22', to: '2026-11-25' })
          .catch((e) => e),
      ),
    ).toBe('FORBIDDEN');
  });

  it('downloads the dashboard as one row a day: money in yuan, the manager’s own store', async () => {
    const csv = async (staff: StaffAccount) => {
      const prepared = await t.app.get(ExportService).prepare(staff, 'dashboard', { format: 'csv', from: '2026-11-22', to: '2026-11-25' });
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      await prepared.stream(out, () => false);
      return parse(Buffer.concat(chunks).toString('utf8'), { bom: true }) as string[][];
    };
    const [header, ...days] = await csv(admin);
    expect(header[0]).toBe('日期');
    const sales = header.indexOf('会员销售额（元）');
    expect(sales).toBeGreaterThan(0);
    expect(header).toContain('积分核销率（%）');
    expect(days.map((row) => row[0])).toEqual(['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25']);
    for (const row of days) {
      const [stored] = await q("SELECT value AS v FROM metric_day WHERE store_code = '' AND metric = 'member_sales_fen' AND day = ?", [
        row[0],
      ]);
      expect(Number(row[sales]) * 100).toBeCloseTo(num(stored?.v ?? 0), 6);
    }
    const [, ...storeDays] = await csv(manager);
    const [s001] = await q(
      `SELECT SUM(value) AS v FROM metric_day WHERE store_code = 'S001' AND metric = 'member_sales_fen'
        AND day >= '2026-11-22' AND day <= '2026-11-25'`,
    );
    expect(storeDays.reduce((sum, row) => sum + Math.round(Number(row[sales]) * 100), 0)).toBe(num(s001.v));
  });

  it('the reports read the snapshots: coupons, messages, campaigns, segments and cohorts', async () => {
    const service = t.app.get(MetricsDashboardService);
    const range = { from: '2026-11-22', to: '2026-12-01' };
    const coupons = await service.coupons(admin, range);
    expect(coupons.byTemplate.find((r) => r.name === '满200减20')).toMatchObject({
      issued: 2,
      redeemed: 1,
      expired: 1,
      redemptionPermille: 500,
    });
    expect(coupons.byCampaign).toEqual([expect.objectContaining({ refId: campaignId, name: '回归礼' })]);
    const messages = await service.messages(admin, range);
    expect(messages.targeted).toBeGreaterThan(messages.reachable);
    expect(messages.rows.some((r) => r.outcome === 'sent')).toBe(true);
    const campaigns = await service.campaigns(admin, range);
    expect(campaigns.runs).toEqual([expect.objectContaining({ runId, day: '2026-12-01', name: '回归礼' })]);
    expect(campaigns.runs[0].liftPerMemberFen).not.toBeNull();
    const segments = await service.segments(admin, { month: '2026-12' });
    expect(segments.previous).toBe('2026-11');
    expect(segments.cells.length).toBeGreaterThan(0);
    const cohorts = await service.cohorts(admin, { from: '2026-09-01', to: '2026-11-30' });
    expect(cohorts.cohorts.map((c) => c.cohort)).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(cohorts.cohorts[0].retainedPermille.length).toBeGreaterThanOrEqual(3);
  });
});

describe.each(TEST_DATABASES)('metrics snapshots of a young chain on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { LOG_LEVEL: 'silent' });
    t.clock.set('2026-11-23T02:00:00Z');
  });
  afterAll(() => t?.close());

  it('snapshots a chain with no members, then one whose members all joined this month (a single cohort)', async () => {
    const snapshots = t.app.get(MetricsSnapshotService);
    await snapshots.snapshotDay('2026-11-23');
    expect(await t.db.dataSource.query('SELECT * FROM metric_cohort')).toEqual([]);
    for (const user of ['young-1', 'young-2'])
      await t.db.dataSource.getRepository(Member).insert({
        openid: openidFor(TEST_APP.appid, `${user}-${kind}`),
        joinedAt: new Date('2026-11-20T04:00:00Z'),
        privacyAcceptedAt: new Date('2026-11-20T04:00:00Z'),
        privacyPolicyVersion: 'test',
      });
    await snapshots.snapshotDay('2026-11-23');
    const rows = (await t.db.dataSource.query('SELECT cohort, month, members, retained FROM metric_cohort')) as Row[];
    expect(rows.map((r) => [r.cohort, r.month, num(r.members), num(r.retained)])).toEqual([['2026-11', '2026-11', 2, 0]]);
    await expectInvariants(t.db.dataSource);
  });

  it('the scheduled job rewrites yesterday and today, once per period across instances', async () => {
    const job = t.app.get(MetricsSnapshotJob);
    t.clock.set('2026-11-24T01:00:00Z'); // 09:00 on the 24th in Shanghai
    const result = await job.run(t.clock.now());
    expect(result.map((r) => r.day)).toEqual(['2026-11-23', '2026-11-24']);
    expect(job.outcome(result)).toMatch(/^2026-11-23 \d+ ms, 2026-11-24 \d+ ms$/);
    const days = (await t.db.dataSource.query('SELECT day FROM metric_snapshot ORDER BY day')) as Row[];
    expect(days.map((r) => r.day)).toEqual(['2026-11-23', '2026-11-24']);
    const runner = t.app.get(JobRunner);
    const outcomes = await Promise.all(
      [1, 2].map(() => runner.runOnce('metrics-snapshot', 'p-1', async () => job.outcome(await job.run(t.clock.now())))),
    );
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
  });
});
