import { rfmOf, type AudienceFilter, type LifecycleStatus, type MessageKind, type RfmSegment, type TierCode } from '@member/shared';
import { DomainError } from '../common/domain-error';
import { sqlDate } from '../database/sql';
import { Member } from '../members/member.entity';
import { MessageGrant, MessagePreference } from '../messages/message.entities';
import { Purchase } from '../orders/sale.entities';
import { TEST_DATABASES } from '../testing/databases';
import { startTestApp, type TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { AudienceService } from './audience.service';
import { MemberRfm } from './member-rfm.entity';
import { RfmRefreshJob } from './rfm-refresh.job';

const DAY_MS = 86_400_000;
let keySeq = 0;

/**
 * Ten buyers whose recency, frequency and monetary ranks (0 = worst … 9 = best) are chosen so that, by
 * quintiles over ten values, rank k scores 1 + ⌊k/2⌋ and each lands in a known segment; plus a member who
 * bought only before the window, two who never bought, and one who never joined (in no audience).
 *
 * recency = (9 − R)·10 + 1 days, frequency = F + 1 purchases, monetary = (M + 1) × ¥1,000.
 */
const BUYERS = [
  { key: 'B0', R: 9, F: 9, M: 9, tier: 'diamond', status: 'regular', month: 1, segment: 'high_value' }, // 5 5 5
  { key: 'B1', R: 8, F: 0, M: 1, tier: 'normal', status: 'active', month: 11, segment: 'new' }, // 5 1 1
  { key: 'B2', R: 7, F: 4, M: 3, tier: 'normal', status: 'active', month: 11, segment: 'potential' }, // 4 3 2
  { key: 'B3', R: 6, F: 8, M: 8, tier: 'gold', status: 'regular', month: 5, segment: 'high_value' }, // 4 5 5
  { key: 'B4', R: 5, F: 7, M: 0, tier: 'gold', status: 'active', month: 11, segment: 'loyal' }, // 3 4 1
  { key: 'B5', R: 4, F: 2, M: 4, tier: 'normal', status: 'active', month: null, segment: 'needs_attention' }, // 3 2 3
  { key: 'B6', R: 3, F: 6, M: 5, tier: 'silver', status: 'active', month: 12, segment: 'at_risk' }, // 2 4 3
  { key: 'B7', R: 2, F: 1, M: 7, tier: 'silver', status: 'active', month: 11, segment: 'at_risk' }, // 2 1 4
  { key: 'B8', R: 1, F: 5, M: 6, tier: 'normal', status: 'active', month: 3, segment: 'at_risk' }, // 1 3 4
  { key: 'B9', R: 0, F: 3, M: 2, tier: 'normal', status: 'dormant', month: 11, segment: 'dormant' }, // 1 2 2
] as const;
const OTHERS = [
  { key: 'L1', tier: 'silver', status: 'churned', month: 11, segment: 'lapsed' }, // bought 400 days ago only
  { key: 'N1', tier: 'normal', status: 'new', month: 11, segment: 'never_purchased' },
  { key: 'N2', tier: 'normal', status: 'dormant', month: null, segment: 'never_purchased' },
] as const;
const recencyOf = (R: number) => (9 - R) * 10 + 1;
const monetaryOf = (M: number) => (M + 1) * 100_000;

describe.each(TEST_DATABASES)('audiences and RFM segments on %s', (kind) => {
  let t: TestApp;
  let audiences: AudienceService;
  let refreshJob: RfmRefreshJob;
  let ids: Record<string, number>;
  let outsider: number;

  const daysAgo = (days: number) => new Date(t.clock.now().getTime() - days * DAY_MS);
  const templateOf = (messageKind: MessageKind) => t.config.messages.templates[messageKind].templateId;

  async function addMember(
    key: string,
    fields: {
      tier: TierCode;
      status: LifecycleStatus;
      month: number | null;
      joined?: boolean;
      lastPurchaseAt?: Date | null;
      nickname?: string;
      joinedAt?: Date;
    },
  ): Promise<number> {
    const joinedAt = fields.joined === false ? null : (fields.joinedAt ?? new Date('2025-01-01T00:00:00Z'));
    const inserted = await t.db.dataSource.getRepository(Member).insert({
      openid: `seg-${kind}-${key}-${++keySeq}`,
      nickname: fields.nickname ?? `会员${key}`,
      phoneMasked: '138****0000',
      joinedAt,
      privacyAcceptedAt: joinedAt,
      privacyPolicyVersion: joinedAt ? 'test' : null,
      tier: fields.tier,
      lifecycleStatus: fields.status,
      birthday: fields.month ? `1990-${String(fields.month).padStart(2, '0')}-15` : null,
      birthdayMonth: fields.month,
      birthdayDay: fields.month ? 15 : null,
      lastPurchaseAt: fields.lastPurchaseAt ?? null,
    });
    return Number(inserted.identifiers[0].id);
  }

  /** A purchase row as the till writes it, and last_purchase_at moved forward as the till does. */
  async function buy(memberId: number, at: Date, paidFen: number, refundedFen = 0): Promise<void> {
    await t.db.dataSource.getRepository(Purchase).insert({
      memberId,
      staffOpenid: 'o-clerk',
      idempotencyKey: `seg-${++keySeq}`,
      storeCode: 'S001',
      grossFen: paidFen,
      paidFen,
      refundedFen,
      purchasedAt: at,
    });
    const member = await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: memberId });
    if (!member.lastPurchaseAt || member.lastPurchaseAt < at)
      await t.db.dataSource.query('UPDATE member SET last_purchase_at = ? WHERE id = ?', [sqlDate(t.db.dataSource.manager, at), memberId]);
  }

  async function seedPopulation(): Promise<void> {
    ids = {};
    for (const b of BUYERS) {
      ids[b.key] = await addMember(b.key, {
        tier: b.tier,
        status: b.status,
        month: b.month,
        nickname: b.key === 'B0' ? '王大锤' : undefined,
      });
      const recency = recencyOf(b.R);
      const frequency = b.F + 1;
      // The older purchases ¥10 each, the last one the rest of the monetary value.
      for (let j = 1; j < frequency; j++) await buy(ids[b.key], daysAgo(recency + j), 1000);
      await buy(ids[b.key], daysAgo(recency), monetaryOf(b.M) - (frequency - 1) * 1000);
    }
    // Refunds: a fully refunded purchase is no visit; a partial refund lowers the spend (net unchanged here).
    await buy(ids.B5, daysAgo(60), 80_000, 80_000);
    await buy(ids.B2, daysAgo(30), 50_000, 50_000);
    // Outside both windows: counts for nothing but recency.
    await buy(ids.B0, daysAgo(500), 999_000);
    for (const o of OTHERS) ids[o.key] = await addMember(o.key, { tier: o.tier, status: o.status, month: o.month });
    await buy(ids.L1, daysAgo(400), 300_000);
    outsider = await addMember('U', { tier: 'gold', status: 'new', month: 11, joined: false });
  }

  async function seedGrants(): Promise<void> {
    const now = t.clock.now();
    const grant = (memberId: number, messageKind: MessageKind, remaining: number) =>
      t.db.dataSource
        .getRepository(MessageGrant)
        .insert({ memberId, templateId: templateOf(messageKind), remaining, acceptedTotal: Math.max(remaining, 1), updatedAt: now });
    const preference = (memberId: number, messageKind: MessageKind, enabled: boolean) =>
      t.db.dataSource.getRepository(MessagePreference).insert({ memberId, kind: messageKind, enabled, updatedAt: now });
    await grant(ids.B0, 'coupon_arrived', 2);
    await grant(ids.B1, 'coupon_arrived', 1);
    await preference(ids.B1, 'coupon_arrived', true); // switched back on: reachable
    await grant(ids.B3, 'coupon_arrived', 1);
    await preference(ids.B3, 'coupon_arrived', false); // switched off: not reachable
    await grant(ids.B4, 'coupon_arrived', 0); // spent
    await grant(ids.B6, 'reactivation', 1); // another template only
    await grant(ids.N1, 'coupon_arrived', 1);
    await preference(ids.N1, 'reactivation', false); // another kind off: still reachable for this one
    await grant(outsider, 'coupon_arrived', 1); // not joined: never in an audience
  }

  const rfmRows = () => t.db.dataSource.getRepository(MemberRfm).find({ order: { memberId: 'ASC' } });
  const segmentOf = async (key: string) => (await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: ids[key] })).segment;

  beforeEach(async () => {
    t = await startTestApp(kind);
    audiences = t.app.get(AudienceService);
    refreshJob = t.app.get(RfmRefreshJob);
    // Ten buyers are ranked here (the default minimum is 20): the quintile arithmetic below is worked out for ten.
    t.config.segments.minimumScoredMembers = 10;
    await seedPopulation();
  });
  // Issue 14: every module's invariants hold after every test (one checker for all), then the app goes. The
  // fixtures write purchases with a refunded amount and grants WeChat never gave directly (audiences only read
  // them), so those two rules are left out here.
  afterEach(async () => {
    if (t)
      await expectInvariants(t.db.dataSource, {
        emulatorUrl: t.emulator.url,
        skip: ['sale.purchase-refunds-within-paid', 'messages.grants-match-wechat'],
      });
    await t?.close();
  });

  it('scores recency, frequency and monetary by quintiles and names each member’s segment', async () => {
    const result = await refreshJob.refresh();
    expect(result).toMatchObject({
      computedAt: '2026-11-23T02:00:00.000Z',
      windowMonths: 12,
      members: 13,
      scoredMembers: 10,
      thresholds: { recencyDays: [81, 61, 41, 21], frequency: [2, 4, 6, 8], monetaryFen: [200_000, 400_000, 600_000, 800_000] },
      segments: {
        high_value: 2,
        loyal: 1,
        new: 1,
        potential: 1,
        needs_attention: 1,
        at_risk: 3,
        dormant: 1,
        lapsed: 1,
        never_purchased: 2,
      },
    });
    for (const b of BUYERS) {
      const row = await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: ids[b.key] });
      const score = (rank: number) => 1 + Math.floor(rank / 2);
      expect({ key: b.key, ...row }).toMatchObject({
        key: b.key,
        recencyDays: recencyOf(b.R),
        frequency: b.F + 1, // B5's fully refunded purchase is not counted
        monetaryFen: monetaryOf(b.M), // B2's refund taken off, B0's purchase 500 days ago left out
        spend12mFen: monetaryOf(b.M),
        rScore: score(b.R),
        fScore: score(b.F),
        mScore: score(b.M),
        segment: b.segment,
      });
    }
    for (const o of OTHERS) expect(await segmentOf(o.key)).toBe(o.segment);
    expect(await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: ids.L1 })).toMatchObject({
      recencyDays: 400,
      frequency: 0,
      spend12mFen: 0,
      rScore: null,
      fScore: null,
      mScore: null,
    });
    expect(await t.db.dataSource.getRepository(MemberRfm).countBy({ memberId: outsider })).toBe(0);
    // The SQL CASEs agree with the shared rule on every row.
    const rows = await rfmRows();
    const thresholds = {
      recencyDays: [81, 61, 41, 21],
      frequency: [2, 4, 6, 8],
      monetaryFen: [200_000, 400_000, 600_000, 800_000],
    } as const;
    for (const row of rows) {
      const expected = rfmOf(row, thresholds, t.config.segments.rules);
      expect({
        id: row.memberId,
        scores: row.rScore === null ? null : { r: row.rScore, f: row.fScore, m: row.mScore },
        segment: row.segment,
      }).toEqual({ id: row.memberId, ...expected });
    }
    expect(await refreshJob.lastRefresh()).toEqual(result);
  });

  it('is idempotent, and recomputes after new purchases', async () => {
    const first = await refreshJob.refresh();
    const before = await rfmRows();
    const again = await refreshJob.refresh();
    expect({ ...again, tookMs: 0 }).toEqual({ ...first, tookMs: 0 });
    expect(await rfmRows()).toEqual(before);

    t.clock.advance(86_400);
    await buy(ids.N1, t.clock.now(), 50_000); // a first purchase
    await buy(ids.B9, t.clock.now(), 2_000_000); // the dormant one is back, big
    const after = await refreshJob.refresh();
    expect(after).toMatchObject({
      computedAt: '2026-11-24T02:00:00.000Z',
      members: 13,
      scoredMembers: 11,
      // Eleven buyers: positions 2, 4, 6, 8 of each metric sorted worst to best (worked out in the comments of rfm.ts).
      thresholds: { recencyDays: [62, 42, 22, 2], frequency: [2, 5, 6, 8], monetaryFen: [200_000, 500_000, 700_000, 900_000] },
    });
    expect(after.segments.never_purchased).toBe(1);
    expect(await segmentOf('N1')).toBe('new'); // R5 F1 M1
    expect(await segmentOf('B9')).toBe('potential'); // R5 F2 M5
    expect(await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: ids.B0 })).toMatchObject({ recencyDays: 2 });
    for (const row of await rfmRows()) expect(row.segment).toBe(rfmOf(row, after.thresholds as never, t.config.segments.rules).segment);
    expect((await audiences.preview({ filter: { spendFenMin: 2_000_000 } })).size).toBe(1);
  });

  /** The member of the bug report: joined 15 minutes ago and bought five times since. */
  async function newcomerWithFivePurchases(): Promise<number> {
    const joinedAt = new Date(t.clock.now().getTime() - 15 * 60_000);
    const id = await addMember('NEW', { tier: 'normal', status: 'new', month: null, joinedAt });
    for (let i = 1; i <= 5; i++) await buy(id, new Date(joinedAt.getTime() + i * 60_000), 8_800);
    return id;
  }

  it('ranks nobody below the minimum of buyers (待分层); one who joined 15 minutes ago with five purchases is 新客, not 沉睡', async () => {
    t.config.segments.minimumScoredMembers = 20;
    const newcomer = await newcomerWithFivePurchases();
    const result = await refreshJob.refresh();
    expect(result).toMatchObject({ scoredMembers: 11, minimumScoredMembers: 20, thresholds: null });
    expect(result.segments).toMatchObject({ new: 1, unranked: 10, lapsed: 1, never_purchased: 2, dormant: 0, high_value: 0 });
    expect(await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: newcomer })).toMatchObject({
      frequency: 5,
      recencyDays: 0,
      rScore: null,
      segment: 'new',
    });
    expect(await segmentOf('B9')).toBe('unranked'); // 沉睡 when ranked among ten
    expect(await segmentOf('L1')).toBe('lapsed'); // no ranking needed for these two
    expect(await segmentOf('N1')).toBe('never_purchased');
    expect((await audiences.preview({ filter: { rfmSegments: ['unranked'] } })).size).toBe(10);

    // Without the new-member rule the newcomer is simply not ranked yet, like everyone else.
    t.config.segments.newMemberDays = 0;
    await refreshJob.refresh();
    expect((await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: newcomer })).segment).toBe('unranked');
  });

  it('the bug as reported: the only buyer, joined 15 minutes ago with five purchases, is not 沉睡', async () => {
    t.config.segments.minimumScoredMembers = 1; // even a population of one is "enough" here: the new-member rule decides
    const newcomer = await newcomerWithFivePurchases();
    await refreshJob.refresh();
    expect((await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: newcomer })).segment).toBe('new');
  });

  it('above the minimum labels are assigned as before, and a buyer who joined within newMemberDays is 新客', async () => {
    const newcomer = await newcomerWithFivePurchases();
    const result = await refreshJob.refresh();
    expect(result).toMatchObject({ scoredMembers: 11, minimumScoredMembers: 10 });
    expect(result.thresholds).not.toBeNull();
    expect(result.segments.unranked).toBe(0);
    const newSince = t.clock.now().getTime() - t.config.segments.newMemberDays * 86_400_000;
    const joined = new Map(
      (await t.db.dataSource.getRepository(Member).find()).map((m) => [Number(m.id), m.joinedAt ? m.joinedAt.getTime() > newSince : false]),
    );
    for (const row of await rfmRows())
      expect({ id: row.memberId, segment: row.segment }).toEqual({
        id: row.memberId,
        segment: rfmOf(row, result.thresholds as never, t.config.segments.rules, joined.get(row.memberId)).segment,
      });
    expect((await t.db.dataSource.getRepository(MemberRfm).findOneByOrFail({ memberId: newcomer })).segment).toBe('new');
    expect(await segmentOf('B0')).toBe('high_value');
  });

  it('runs one refresh at a time: a second one meanwhile answers SEGMENTS_REFRESH_RUNNING; a dead one’s lease is taken over', async () => {
    const outcomes = await Promise.allSettled([refreshJob.refresh(), refreshJob.refresh()]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(rejected.reason).toBeInstanceOf(DomainError);
    expect((rejected.reason as DomainError).code).toBe('SEGMENTS_REFRESH_RUNNING');
    await expect(refreshJob.refresh()).resolves.toMatchObject({ members: 13 }); // the lease was given back

    // A refresh that died holding the lease: running for 5 minutes blocks; silent for 11 is presumed dead.
    const seize = (heartbeat: Date) =>
      t.db.dataSource.query("UPDATE member_rfm_refresh SET lease_token = 'crashed', lease_heartbeat_at = ? WHERE id = 1", [
        sqlDate(t.db.dataSource.manager, heartbeat),
      ]);
    await seize(new Date(t.clock.now().getTime() - 5 * 60_000));
    await expect(refreshJob.refresh()).rejects.toMatchObject({ code: 'SEGMENTS_REFRESH_RUNNING' });
    await seize(new Date(t.clock.now().getTime() - 11 * 60_000));
    await expect(refreshJob.refresh()).resolves.toMatchObject({ members: 13 });
  });

  it('counts each filter exactly, criteria combined with AND, values within a criterion with OR', async () => {
    expect(await audiences.preview({ filter: {} })).toMatchObject({ rfmComputedAt: null });
    await refreshJob.refresh();
    const cases: Array<[AudienceFilter, number, string]> = [
      [{}, 13, 'every joined member, not the visitor who never joined'],
      [{ tiers: ['gold', 'diamond'] }, 3, 'B0 B3 B4'],
      [{ lifecycleStatuses: ['dormant', 'churned'] }, 3, 'B9 L1 N2'],
      [{ birthdayMonths: [11] }, 7, 'B1 B2 B4 B7 B9 L1 N1'],
      [{ birthdayMonths: [1, 5, 12] }, 3, 'B0 B3 B6'],
      [{ lastPurchaseDaysMin: 60 }, 5, 'B6 B7 B8 B9 L1; never bought: not matched'],
      [{ lastPurchaseDaysMin: 61 }, 5, 'B6 bought exactly 61 business days ago'],
      [{ lastPurchaseDaysMin: 62 }, 4, 'B7 B8 B9 L1'],
      [{ lastPurchaseDaysMax: 61 }, 7, 'B0 … B6'],
      [{ lastPurchaseDaysMax: 60 }, 6, 'B0 … B5'],
      [{ lastPurchaseDaysMin: 20, lastPurchaseDaysMax: 50 }, 3, 'B2 B3 B4'],
      [{ spendFenMin: 500_000 }, 6, 'B0 B3 B5 B6 B7 B8'],
      [{ spendFenMax: 200_000 }, 5, 'B1 B4 and the three who spent nothing in 12 months'],
      [{ spendFenMin: 0 }, 13, 'everyone with an RFM row'],
      [{ rfmSegments: ['at_risk'] }, 3, 'B6 B7 B8'],
      [{ rfmSegments: ['high_value', 'loyal'] }, 3, 'B0 B3 B4'],
      [{ rfmSegments: ['lapsed', 'never_purchased'] }, 3, 'L1 N1 N2'],
      [{ rfmSegments: ['high_value'], spendFenMin: 950_000 }, 1, 'B0'],
      [{ tiers: ['normal'], birthdayMonths: [11], rfmSegments: ['new', 'potential', 'dormant'] }, 3, 'B1 B2 B9 (N1 never bought)'],
      [{ lifecycleStatuses: ['active'], spendFenMin: 300_000, lastPurchaseDaysMin: 30 }, 4, 'B5 B6 B7 B8'],
      [{ tiers: ['silver'], rfmSegments: ['at_risk'], spendFenMax: 700_000 }, 1, 'B6'],
      [{ tiers: ['diamond'], lifecycleStatuses: ['dormant'] }, 0, 'nobody'],
    ];
    const sizes = await Promise.all(cases.map(async ([filter]) => (await audiences.preview({ filter })).size));
    expect(cases.map(([filter, , who], i) => ({ filter, who, size: sizes[i] }))).toEqual(
      cases.map(([filter, size, who]) => ({ filter, who, size })),
    );
  });

  it('counts as reachable only members with a grant left for the template who did not switch the kind off', async () => {
    await seedGrants();
    await refreshJob.refresh();
    const preview = (filter: AudienceFilter, messageKind?: MessageKind) => audiences.preview({ filter, messageKind });
    expect(await preview({}, 'coupon_arrived')).toMatchObject({
      size: 13,
      reachable: 3,
      messageKind: 'coupon_arrived',
      templateId: templateOf('coupon_arrived'),
    }); // B0 B1 N1
    // B0; B3 off, B4 spent
    expect(await preview({ tiers: ['gold', 'diamond'] }, 'coupon_arrived')).toMatchObject({ size: 3, reachable: 1 });
    expect(await preview({ rfmSegments: ['high_value', 'loyal'] }, 'coupon_arrived')).toMatchObject({ size: 3, reachable: 1 });
    expect(await preview({ rfmSegments: ['never_purchased'] }, 'coupon_arrived')).toMatchObject({ size: 2, reachable: 1 }); // N1
    expect(await preview({ tiers: ['silver'], birthdayMonths: [12] }, 'reactivation')).toMatchObject({ size: 1, reachable: 1 }); // B6
    expect(await preview({}, 'reactivation')).toMatchObject({ reachable: 1 });
    expect(await preview({}, 'birthday')).toMatchObject({ reachable: 0 });
    expect(await preview({})).toMatchObject({ reachable: null, messageKind: null, templateId: null });
  });

  it('shows a few masked members of the audience and when the RFM data was computed', async () => {
    await refreshJob.refresh();
    const all = await audiences.preview({ filter: {} });
    expect(all).toMatchObject({ usesRfmData: false, rfmComputedAt: '2026-11-23T02:00:00.000Z' });
    expect(all.sample).toHaveLength(t.config.segments.previewSampleSize);
    const top = await audiences.preview({ filter: { tiers: ['gold', 'diamond'] } });
    expect(top.sample.map((m) => m.memberId).sort((a, b) => a - b)).toEqual([ids.B0, ids.B3, ids.B4].sort((a, b) => a - b));
    expect(top.sample.find((m) => m.memberId === ids.B0)).toEqual({
      memberId: ids.B0,
      nicknameMasked: '王**',
      phoneMasked: '138****0000',
      tier: 'diamond',
      lifecycleStatus: 'regular',
      rfmSegment: 'high_value',
    });
    const risky = await audiences.preview({ filter: { rfmSegments: ['at_risk'] } });
    expect(risky.usesRfmData).toBe(true);
    expect(risky.sample.map((m) => m.rfmSegment)).toEqual(['at_risk', 'at_risk', 'at_risk']);

    // Joined after the refresh: in the live criteria at once, in the RFM ones from the next refresh.
    await addMember('late', { tier: 'normal', status: 'new', month: 11 });
    expect((await audiences.preview({ filter: {} })).size).toBe(14);
    expect((await audiences.preview({ filter: { spendFenMax: 0 } })).size).toBe(3);
    await refreshJob.refresh();
    expect((await audiences.preview({ filter: { spendFenMax: 0 } })).size).toBe(4);
  });
});

// A type-level guard: the fixture's segments are real ones.
const _segments: readonly RfmSegment[] = [...BUYERS.map((b) => b.segment), ...OTHERS.map((o) => o.segment)];
void _segments;
