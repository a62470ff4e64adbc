import type { BirthdayPerkRunResult } from '@member/shared';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../bootstrap';
import { CampaignOffers } from '../campaigns/campaign-offers';
import { CampaignsService } from '../campaigns/campaigns.service';
import { RedemptionService } from '../coupons/redemption.service';
import { TemplatesService } from '../coupons/templates.service';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { sqlDate } from '../database/sql';
import { issueMemberCode } from '../members/member-code';
import { MembersService } from '../members/members.service';
import { PurchasesService } from '../orders/purchases.service';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { startTestApp, type TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { BirthdayPerkJob } from './birthday-perk.job';
import { memberIdChunks } from '../campaigns/member-id-chunks';
import { sqlDateValue as asDate } from '../database/sql';

/** 00:05 in Shanghai on a business date = 16:05 UTC the day before. */
const shanghai = (date: string, time = '00:05:00') => new Date(new Date(`${date}T${time}+08:00`).getTime());
const lastSecondOf = (date: string) => new Date(`${date}T23:59:59+08:00`).toISOString();

describe.each(TEST_DATABASES)('birthday perks on %s', (kind) => {
  let t: TestApp;
  let job: BirthdayPerkJob;
  let birthdayTemplateId: number;
  // Members get ids far apart, so one window's members fall into several chunks (transactions).
  let nextId = 100_000;
  const ID_STEP = 7_001;

  /** Members inserted directly with the given birthdays ("YYYY-MM-DD", or null), joined unless said otherwise. */
  async function addMembers(birthdays: Array<string | null>, options: { joined?: boolean } = {}): Promise<number[]> {
    const ids: number[] = [];
    const joinedAt = sqlDate(t.db.dataSource.manager, new Date('2025-06-01T00:00:00Z'));
    for (const birthday of birthdays) {
      nextId += ID_STEP;
      const [, month, day] = birthday ? birthday.split('-').map(Number) : [null, null, null];
      await t.db.dataSource.query(
        `INSERT INTO member (id, openid, joined_at, privacy_accepted_at, privacy_policy_version,
           birthday, birthday_month, birthday_day, birthday_set_on, version)
         VALUES (?, ?, ?, ?, 'test', ?, ?, ?, ?, 1)`,
        [
          nextId,
          `bday-${kind}-${nextId}`,
          options.joined === false ? null : joinedAt,
          options.joined === false ? null : joinedAt,
          birthday,
          month,
          day,
          birthday ? '2025-06-01' : null,
        ],
      );
      ids.push(nextId);
    }
    return ids;
  }

  /**
   * Runs `work` as an instance that dies in the chunk holding `memberId`: that chunk rolls back, no chunk starts
   * after it, the chunks already in flight finish.
   */
  async function dyingAt<T>(memberId: number, work: () => Promise<T>): Promise<T> {
    const offers = t.app.get(CampaignOffers);
    const give = offers.give.bind(offers);
    const spy = jest.spyOn(offers, 'give').mockImplementation(async (em, plan, chunk, options) => {
      if (chunk.from <= memberId && memberId <= chunk.to) throw new Error('instance stopped');
      return give(em, plan, chunk, options);
    });
    try {
      return await work();
    } finally {
      spy.mockRestore();
    }
  }

  type PerkRow = { memberId: number; year: number; couponId: number | null; until: string };
  async function perksOf(memberIds: number[]): Promise<PerkRow[]> {
    const rows: Array<{ member_id: number; year: number; coupon_id: number | null; double_points_until: Date | string }> =
      await t.db.dataSource.query(
        `SELECT member_id, year, coupon_id, double_points_until FROM birthday_perk
          WHERE member_id IN (${memberIds.map(() => '?').join(', ')}) ORDER BY member_id, year`,
        memberIds,
      );
    return rows.map((r) => ({
      memberId: Number(r.member_id),
      year: Number(r.year),
      couponId: r.coupon_id === null ? null : Number(r.coupon_id),
      until: asDate(r.double_points_until).toISOString(),
    }));
  }

  async function doublePointsUntil(memberId: number): Promise<string | null> {
    const [row] = await t.db.dataSource.query('SELECT double_points_until AS until FROM member WHERE id = ?', [memberId]);
    return row.until === null ? null : asDate(row.until).toISOString();
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await t.db.dataSource.query(sql, params);
    return Number(Object.values(row as Record<string, unknown>)[0]);
  }

  /** Once a year, everywhere: never two perks or two birthday coupons for one member and year; stock counters match the rows. */
  async function expectOncePerYearAndStockExact(): Promise<void> {
    expect(
      await count('SELECT COUNT(*) AS n FROM (SELECT member_id, year FROM birthday_perk GROUP BY member_id, year HAVING COUNT(*) > 1) x'),
    ).toBe(0);
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM (SELECT member_id, idempotency_key FROM coupon' +
          " WHERE idempotency_key LIKE 'birthday:%' GROUP BY member_id, idempotency_key HAVING COUNT(*) > 1) x",
      ),
    ).toBe(0);
    // Every perk's coupon is that member's birthday coupon of that year, and every birthday coupon has its perk.
    const birthdayKeyOfPerk = kind === 'mariadb' ? "CONCAT('birthday:', p.year)" : "'birthday:' || p.year";
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM birthday_perk p JOIN coupon c ON c.id = p.coupon_id
          WHERE c.member_id <> p.member_id OR c.idempotency_key <> ${birthdayKeyOfPerk}`,
      ),
    ).toBe(0);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM coupon c WHERE c.idempotency_key LIKE 'birthday:%'" +
          ' AND NOT EXISTS (SELECT 1 FROM birthday_perk p WHERE p.coupon_id = c.id)',
      ),
    ).toBe(0);
    const broken = await t.db.dataSource.query(
      'SELECT t.id FROM coupon_template t' +
        ' WHERE t.claimed_count <> (SELECT COUNT(*) FROM coupon c WHERE c.template_id = t.id) OR t.claimed_count > t.total_stock',
    );
    expect(broken).toEqual([]);
  }

  const setPerk = (perk: Partial<TestApp['config']['birthday']['perk']>) => Object.assign(t.config.birthday.perk, perk);

  beforeAll(async () => {
    t = await startTestApp(kind);
    job = t.app.get(BirthdayPerkJob);
    const template = await t.app.get(TemplatesService).create(
      templateRequest(t.clock.now(), {
        name: '生日礼券',
        totalStock: 100_000,
        perMemberLimit: 1,
        validity: { type: 'relative', validDays: 30 },
        terms: {
          kind: 'no_threshold',
          valueFen: 3000,
          thresholdFen: 0,
          percentPermille: null,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: false,
        },
      }),
    );
    birthdayTemplateId = template.id;
  });
  afterAll(() => t?.close());
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  beforeEach(() => setPerk({ window: 'month', couponTemplateId: birthdayTemplateId, runAtLocalTime: '00:05' }));
  afterEach(() => expectOncePerYearAndStockExact());

  it('on the 1st gives every joined member born that month the coupon and double points to 23:59:59 of the 30th, nobody else', async () => {
    const november = await addMembers(['1990-11-03', '1985-11-30', '2000-11-01']);
    const others = await addMembers(['1990-10-31', '1990-12-01', null]);
    const [notJoined] = await addMembers(['1990-11-15'], { joined: false });
    t.clock.set(shanghai('2026-11-01'));

    const result = await job.grantPerks();
    expect(result).toMatchObject({
      runOn: '2026-11-01',
      window: { kind: 'month', key: '2026-11', year: 2026, opensOn: '2026-11-01', closesOn: '2026-11-30' },
      couponsShort: 0,
    });
    expect(result.perksGranted).toBe(3);
    expect(result.couponsIssued).toBe(3);
    // Spread over several member id ranges, each its own transaction.
    expect(result.chunksDone).toBeGreaterThan(1);

    const perks = await perksOf([...november, ...others, notJoined]);
    expect(perks.map((p) => [p.memberId, p.year, p.until])).toEqual(november.map((id) => [id, 2026, '2026-11-30T15:59:59.000Z']));
    for (const id of november) expect(await doublePointsUntil(id)).toBe('2026-11-30T15:59:59.000Z');
    for (const id of [...others, notJoined]) expect(await doublePointsUntil(id)).toBeNull();

    const coupons = await t.db.dataSource.query(
      `SELECT member_id, template_id, status, valid_until, seq, code FROM coupon
        WHERE id IN (${perks.map(() => '?').join(', ')}) ORDER BY member_id`,
      perks.map((p) => p.couponId),
    );
    expect(coupons).toHaveLength(3);
    for (const coupon of coupons) {
      // "Valid for 30 days" from 1 November 00:05 ends at 23:59:59 local on the 30th day.
      expect({
        template: Number(coupon.template_id),
        status: coupon.status,
        validUntil: asDate(coupon.valid_until).toISOString(),
        seq: Number(coupon.seq),
      }).toEqual({ template: birthdayTemplateId, status: 'available', validUntil: lastSecondOf('2026-11-30'), seq: 2026 });
    }
    // Codes the till can scan, like a claimed coupon's: "9" and 15 random digits, all different.
    expect(coupons.every((c: { code: string }) => /^9\d{15}$/.test(c.code))).toBe(true);
    expect(new Set(coupons.map((c: { code: string }) => c.code)).size).toBe(3);
    expect((await t.app.get(TemplatesService).get(birthdayTemplateId)).claimedCount).toBe(3);
  });

  it('rerun the same day or later that month, it grants nothing twice; a birthday set in the window is caught up a day later', async () => {
    t.clock.set(shanghai('2026-11-01', '09:00:00'));
    const again = await job.grantPerks();
    // The first run's checkpoints for today: every chunk is skipped.
    expect(again).toMatchObject({ perksGranted: 0, couponsIssued: 0, chunksDone: 0 });
    expect(again.chunksSkipped).toBeGreaterThan(1);
    t.clock.set(shanghai('2026-11-05'));
    expect(await job.grantPerks()).toMatchObject({ runOn: '2026-11-05', perksGranted: 0, couponsIssued: 0, chunksSkipped: 0 });
    const [early] = await addMembers(['1991-11-20']);

    const late = await addMembers([null]);
    t.clock.set(shanghai('2026-11-10', '12:00:00'));
    await t.app.get(MembersService).setBirthday(late[0], '1992-11-25');
    t.clock.set(shanghai('2026-11-11'));
    const nextDay = await job.grantPerks();
    // Both joined the month's members after its first run: the next daily run catches them up.
    expect(nextDay).toMatchObject({ runOn: '2026-11-11', perksGranted: 2, couponsIssued: 2 });
    expect((await perksOf([early, late[0]])).map((p) => [p.memberId, p.until])).toEqual([
      [early, '2026-11-30T15:59:59.000Z'],
      [late[0], '2026-11-30T15:59:59.000Z'],
    ]);
  });

  it('doubles the points of purchases through the last second of the window, and only then', async () => {
    const [member] = await addMembers(['1988-11-09']);
    t.clock.set(shanghai('2026-11-02'));
    await job.grantPerks();
    const purchases = t.app.get(PurchasesService);
    let seq = 0;
    const buy = () =>
      purchases.record(
        {
          memberCode: issueMemberCode({ secret: t.config.security.memberCodeSecret, ...t.config.memberCode }, member, t.clock.now()).code,
          amountFen: 10_000,
          storeCode: 'S001',
          idempotencyKey: `bday-buy-${kind}-${++seq}`,
        },
        'o-clerk',
      );
    t.clock.set(shanghai('2026-11-10', '10:00:00')); // not a member day (8/18/28)
    expect(await buy()).toMatchObject({ pointsEarned: 200, bonusPermille: 2000 });
    t.clock.set(shanghai('2026-11-30', '23:59:59'));
    expect((await buy()).pointsEarned).toBe(200);
    t.clock.set(shanghai('2026-12-01', '00:00:00'));
    expect(await buy()).toMatchObject({ pointsEarned: 100, bonusPermille: 1000 });
  });

  it('celebrates 29 Feb on the 28th in non-leap years (day window), on the 29th in leap years, in February (month window)', async () => {
    setPerk({ window: 'day' });
    const [feb28, feb29, mar1] = await addMembers(['1990-02-28', '2000-02-29', '1990-03-01']);
    t.clock.set(shanghai('2027-02-28'));
    expect(await job.grantPerks()).toMatchObject({ window: { key: '2027-02-28', closesOn: '2027-02-28' }, perksGranted: 2 });
    expect((await perksOf([feb28, feb29, mar1])).map((p) => [p.memberId, p.year, p.until])).toEqual([
      [feb28, 2027, '2027-02-28T15:59:59.000Z'],
      [feb29, 2027, '2027-02-28T15:59:59.000Z'],
    ]);
    t.clock.set(shanghai('2027-03-01'));
    expect((await job.grantPerks()).perksGranted).toBe(1);

    t.clock.set(shanghai('2028-02-28'));
    await job.grantPerks();
    t.clock.set(shanghai('2028-02-29'));
    await job.grantPerks();
    expect((await perksOf([feb28, feb29])).filter((p) => p.year === 2028).map((p) => [p.memberId, p.until])).toEqual([
      [feb28, '2028-02-28T15:59:59.000Z'],
      [feb29, '2028-02-29T15:59:59.000Z'],
    ]);

    setPerk({ window: 'month' });
    t.clock.set(shanghai('2029-02-01'));
    await job.grantPerks();
    expect((await perksOf([feb28, feb29])).filter((p) => p.year === 2029).map((p) => [p.memberId, p.until])).toEqual([
      [feb28, '2029-02-28T15:59:59.000Z'],
      [feb29, '2029-02-28T15:59:59.000Z'],
    ]);
  });

  it('gives one perk per calendar year even when the birthday is changed into a later window', async () => {
    const [member] = await addMembers(['1990-01-10']);
    t.clock.set(shanghai('2027-01-01'));
    await job.grantPerks();
    t.clock.set(shanghai('2027-02-15', '12:00:00')); // the birthday was set in 2025: a change is allowed again
    await t.app.get(MembersService).setBirthday(member, '1990-03-05');
    t.clock.set(shanghai('2027-03-01'));
    await job.grantPerks();
    expect((await perksOf([member])).map((p) => p.year)).toEqual([2027]);
    expect(await doublePointsUntil(member)).toBe('2027-01-31T15:59:59.000Z');
    t.clock.set(shanghai('2028-03-01'));
    await job.grantPerks();
    expect((await perksOf([member])).map((p) => [p.year, p.until])).toEqual([
      [2027, '2027-01-31T15:59:59.000Z'],
      [2028, '2028-03-31T15:59:59.000Z'],
    ]);
  });

  it('never issues more coupons than the stock: members past it get double points, no coupon; a paused template issues none', async () => {
    const scarce = await t.app
      .get(TemplatesService)
      .create(templateRequest(t.clock.now(), { name: '限量生日券', totalStock: 5, perMemberLimit: 1 }));
    setPerk({ couponTemplateId: scarce.id });
    const june = await addMembers(Array.from({ length: 12 }, (_, i) => `1990-06-${String(i + 1).padStart(2, '0')}`));
    t.clock.set(shanghai('2027-06-01'));
    const [a, b] = await Promise.all([job.grantPerks(), job.grantPerks()]);
    expect(a.perksGranted + b.perksGranted).toBe(12);
    expect(a.couponsIssued + b.couponsIssued).toBe(5);
    expect(a.couponsShort + b.couponsShort).toBe(7);
    const perks = await perksOf(june);
    expect(perks).toHaveLength(12);
    expect(perks.filter((p) => p.couponId !== null)).toHaveLength(5);
    expect((await t.app.get(TemplatesService).get(scarce.id)).claimedCount).toBe(5);

    const paused = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '暂停生日券', totalStock: 100 }));
    await t.app.get(TemplatesService).setStatus(paused.id, 'paused');
    setPerk({ couponTemplateId: paused.id });
    const july = await addMembers(['1990-07-07', '1990-07-17']);
    t.clock.set(shanghai('2027-07-01'));
    expect(await job.grantPerks()).toMatchObject({ perksGranted: 2, couponsIssued: 0, couponsShort: 2 });
    expect((await perksOf(july)).map((p) => p.couponId)).toEqual([null, null]);
    expect(await doublePointsUntil(july[0])).toBe('2027-07-31T15:59:59.000Z');
  });

  it('gives double points only when no coupon is configured, and refuses to start with a template that does not exist', async () => {
    setPerk({ couponTemplateId: null });
    const august = await addMembers(['1990-08-08']);
    t.clock.set(shanghai('2027-08-01'));
    expect(await job.grantPerks()).toMatchObject({ perksGranted: 1, couponsIssued: 0, couponsShort: 0 });
    expect((await perksOf(august))[0]).toMatchObject({ couponId: null, until: '2027-08-31T15:59:59.000Z' });

    setPerk({ couponTemplateId: 999_999 });
    const september = await addMembers(['1990-09-09']);
    t.clock.set(shanghai('2027-09-01'));
    await expect(job.grantPerks()).rejects.toThrow(/no such coupon template/);
    expect(await perksOf(september)).toEqual([]);
  });

  it('resumes a run that died halfway from its checkpoints, granting each perk once', async () => {
    const october = await addMembers(Array.from({ length: 20 }, (_, i) => `1990-10-${String(i + 10)}`));
    t.clock.set(shanghai('2027-10-01'));
    // Dies in the chunk of the last of these members: the chunks before it are done, that one and the rest are not.
    await expect(dyingAt(october[october.length - 1], () => job.grantPerks())).rejects.toThrow('instance stopped');
    const before = (await perksOf(october)).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(october.length);
    const resumed = await job.grantPerks();
    expect(resumed.chunksSkipped).toBeGreaterThanOrEqual(2);
    expect(resumed.perksGranted).toBe(october.length - before);
    expect(await perksOf(october)).toHaveLength(october.length);
  });

  it('shows each day as a run of the birthday system campaign, counted once whatever reruns', async () => {
    const march = await addMembers(['1990-03-03', '1991-03-13']);
    t.clock.set(shanghai('2029-03-01'));
    const result = await job.grantPerks();
    await job.grantPerks();
    const campaigns = await t.app.get(CampaignsService).list();
    const birthday = campaigns.campaigns.find((c) => c.system === 'birthday-perk');
    expect(birthday).toMatchObject({ name: '生日礼遇', status: 'active', schedule: 'birthday' });
    const run = (await t.app.get(CampaignsService).get(birthday!.id)).runs.find((r) => r.period === '2029-03-01');
    expect(run).toMatchObject({
      status: 'done',
      targeted: result.perksGranted,
      couponsIssued: result.couponsIssued,
      couponsShort: result.couponsShort,
    });
    expect(result.perksGranted).toBeGreaterThanOrEqual(march.length);
    // The scheduler leaves system campaigns to their own runs, and staff cannot pause them.
    await t.app.get(CampaignsService).tick();
    expect((await t.app.get(CampaignsService).get(birthday!.id)).runs.filter((r) => r.period === '2029-03-01')).toHaveLength(1);
    await expect(t.app.get(CampaignsService).setPaused(birthday!.id, true)).rejects.toMatchObject({ code: 'CAMPAIGN_STATUS_CONFLICT' });
  });

  it('is reported like any campaign (coupon, no grant, redeemed); any instance’s campaign scheduler finishes a run that died', async () => {
    const august = await addMembers(Array.from({ length: 6 }, (_, i) => `1990-08-${String(i + 10)}`));
    t.clock.set(shanghai('2030-08-01'));
    await expect(dyingAt(august[august.length - 1], () => job.grantPerks())).rejects.toThrow('instance stopped');
    expect((await perksOf(august)).length).toBeLessThan(august.length);
    // The next scheduler pass of any instance resumes the day's run from its checkpoint.
    await t.app.get(CampaignsService).tick();
    expect(await perksOf(august)).toHaveLength(august.length);
    const code: string = (
      await t.db.dataSource.query("SELECT code FROM coupon WHERE member_id = ? AND idempotency_key = 'birthday:2030'", [august[0]])
    )[0].code;
    await t.app.get(RedemptionService).redeem({ code, orderAmountFen: 10_000 }, 'o-clerk');

    const campaigns = t.app.get(CampaignsService);
    const birthday = (await campaigns.list()).campaigns.find((c) => c.system === 'birthday-perk')!;
    const view = await campaigns.get(birthday.id);
    expect(view).toMatchObject({ couponTemplateId: birthdayTemplateId, couponTemplateName: '生日礼券' });
    const perksThisYear = await count('SELECT COUNT(*) AS n FROM birthday_perk WHERE year = 2030');
    expect(view.runs.find((r) => r.period === '2030-08-01')).toMatchObject({
      status: 'done',
      targeted: perksThisYear,
      couponsIssued: perksThisYear,
      couponsRedeemed: 1,
      messages: { queued: 0, sent: 0, skipped: { no_grant: perksThisYear } },
    });
    expect(await job.grantPerks()).toMatchObject({ perksGranted: 0, chunksDone: 0 });
  });

  describe('scheduled, and under concurrency', () => {
    it('runs from 00:05 local time, once a day across instances, and takes over a run that never finished', async () => {
      const [member] = await addMembers(['1990-12-24']);
      t.clock.set(shanghai('2027-12-01', '00:04:59'));
      expect(await job.runScheduled()).toBeNull();
      expect(await perksOf([member])).toEqual([]);
      t.clock.set(shanghai('2027-12-01', '00:05:00'));
      const ran = await job.runScheduled();
      expect(ran).toMatchObject({ runOn: '2027-12-01', window: { key: '2027-12' } });
      expect(ran!.perksGranted).toBeGreaterThanOrEqual(1);
      expect(await job.runScheduled()).toBeNull();
      const [run] = await t.db.dataSource.query(
        "SELECT outcome, finished_at FROM job_run WHERE job = 'birthday-perk' AND period = '2027-12-01'",
      );
      expect(run.finished_at).not.toBeNull();
      expect(run.outcome).toMatch(/^window 2027-12: \d+ perks/);

      // An instance died during the 2 December run 20 minutes ago: the next check takes it over.
      const [lateMember] = await addMembers(['1990-12-30']);
      t.clock.set(shanghai('2027-12-02', '00:30:00'));
      await t.db.dataSource.query("INSERT INTO job_run (job, period, started_at) VALUES ('birthday-perk', '2027-12-02', ?)", [
        sqlDate(t.db.dataSource.manager, shanghai('2027-12-02', '00:10:00')),
      ]);
      expect(await job.runScheduled()).toMatchObject({ runOn: '2027-12-02', perksGranted: 1 });
      expect(await perksOf([lateMember])).toHaveLength(1);
    });

    it('two runs at once grant every perk and coupon once, each chunk done by one of them', async () => {
      const april = await addMembers(
        Array.from({ length: 60 }, (_, i) => `19${70 + (i % 30)}-04-${String((i % 30) + 1).padStart(2, '0')}`),
      );
      t.clock.set(shanghai('2027-04-01'));
      const runs = await Promise.all([job.grantPerks(), job.grantPerks()]);
      const total = (field: keyof Pick<BirthdayPerkRunResult, 'perksGranted' | 'couponsIssued' | 'chunksDone' | 'chunksSkipped'>) =>
        runs[0][field] + runs[1][field];
      expect(total('perksGranted')).toBe(60);
      expect(total('couponsIssued')).toBe(60);
      expect(total('chunksDone')).toBe(total('chunksSkipped'));
      const perks = await perksOf(april);
      expect(perks).toHaveLength(60);
      expect(new Set(perks.map((p) => p.couponId)).size).toBe(60);
    });

    if (kind === 'mariadb') {
      it('two server instances on one database, scheduled and run at once, give one perk per member', async () => {
        const dataSource = await openDatabase(dataSourceOptions({ url: t.db.url, sqlitePath: '', poolSize: 10 }));
        let other: NestFastifyApplication | null = null;
        try {
          other = await createApp({ config: t.config, clock: t.clock, dataSource });
          await other.init();
          const may = await addMembers(Array.from({ length: 40 }, (_, i) => `1980-05-${String((i % 31) + 1).padStart(2, '0')}`));
          t.clock.set(shanghai('2027-05-01', '00:06:00'));
          const scheduled = await Promise.all([job.runScheduled(), other.get(BirthdayPerkJob).runScheduled()]);
          expect(scheduled.filter((r) => r === null)).toHaveLength(1);
          // A run of 2 May that died: both instances find it stale at once, exactly one takes it over.
          await t.db.dataSource.query("INSERT INTO job_run (job, period, started_at) VALUES ('birthday-perk', '2027-05-02', ?)", [
            shanghai('2027-05-02', '00:05:00'),
          ]);
          t.clock.set(shanghai('2027-05-02', '00:40:00'));
          const takeOver = await Promise.all([job.runScheduled(), other.get(BirthdayPerkJob).runScheduled()]);
          expect(takeOver.filter((r) => r === null)).toHaveLength(1);
          // And forced runs on both instances at once (what a run taken over while still alive would do).
          const june = await addMembers(Array.from({ length: 40 }, (_, i) => `1981-06-${String((i % 30) + 1).padStart(2, '0')}`));
          const bornInJune = await count('SELECT COUNT(*) AS n FROM member WHERE birthday_month = 6 AND joined_at IS NOT NULL');
          t.clock.set(shanghai('2028-06-01'));
          const forced = await Promise.all([job.grantPerks(), other.get(BirthdayPerkJob).grantPerks(), job.grantPerks()]);
          expect(forced.reduce((sum, r) => sum + r.perksGranted, 0)).toBe(bornInJune);
          expect(await perksOf(may)).toHaveLength(40);
          expect((await perksOf(june)).filter((p) => p.year === 2028)).toHaveLength(40);
        } finally {
          await other?.close();
          if (dataSource.isInitialized) await dataSource.destroy();
        }
      });
    }
  });
});

/** The default campaigns.chunkMemberIds: the birthday perks' runs are chunked like every campaign's. */
const DEFAULT_CHUNK_ID_SPAN = 50_000;

describe('birthday chunks (the campaign runner’s member id chunks)', () => {
  it.each<[number, number, number, Array<[number, number]>]>([
    [1, 1, 10, [[1, 10]]],
    [1, 10, 10, [[1, 10]]],
    [
      10,
      11,
      10,
      [
        [1, 10],
        [11, 20],
      ],
    ],
    [
      15,
      35,
      10,
      [
        [11, 20],
        [21, 30],
        [31, 40],
      ],
    ],
    [50_001, 50_001, DEFAULT_CHUNK_ID_SPAN, [[50_001, 100_000]]],
  ])('cuts ids %i…%i by %i into ranges aligned to the span, whatever the first id: %j', (first, last, span, expected) => {
    expect(memberIdChunks(first, last, span)).toEqual(expected);
  });
});
