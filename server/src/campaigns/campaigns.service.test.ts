import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateCampaignRequest, MessageKind } from '@member/shared';
import { createApp } from '../bootstrap';
import { DomainError } from '../common/domain-error';
import { ClaimService } from '../coupons/claim.service';
import { TemplatesService } from '../coupons/templates.service';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { TransactionRunner } from '../database/transaction-runner';
import { Member } from '../members/member.entity';
import { SaleSettlement } from '../orders/sale-settlement.service';
import { MessagesService } from '../messages/messages.service';
import { OutboxSender } from '../messages/outbox-sender';
import { insertJoinedMembers, templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { openidFor, TEST_APP } from '../testing/emulator';
import { grantMismatches } from '../testing/ledgers';
import { startTestApp, type TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { CampaignIssuer } from './campaign-issuer';
import { CampaignRun } from './campaign.entities';
import { CampaignsService } from './campaigns.service';

type Json = any;
const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);
const CHUNK = 100;

describe.each(TEST_DATABASES)('campaigns on %s', (kind) => {
  let t: TestApp;
  let campaigns: CampaignsService;
  let seq = 0;
  const key = () => `campaign-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
  const emulatorPost = async (path: string, body: unknown): Promise<Json> =>
    (
      await fetch(`${t.emulator.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json();
  const emulatorGet = async (path: string): Promise<Json> => (await fetch(`${t.emulator.url}${path}`)).json();
  const templateOf = (k: MessageKind) => t.config.messages.templates[k].templateId;
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.dataSource.query(sql, params))[0].n);

  /** Members of this test only: a birthday month nobody else has marks them, and the audience filter picks it. */
  async function members(n: number, month: number, nickname = '会员'): Promise<Array<{ id: number; user: string; openid: string }>> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const user = `cm-${kind}-${++seq}`;
      const openid = openidFor(TEST_APP.appid, user);
      const joinedAt = new Date(t.clock.now().getTime() - 86_400_000);
      const inserted = await t.db.dataSource.getRepository(Member).insert({
        openid,
        nickname,
        joinedAt,
        privacyAcceptedAt: joinedAt,
        privacyPolicyVersion: 'test',
        birthdayMonth: month,
        birthdayDay: 1,
      });
      await emulatorPost('/dev/login-code', { appid: TEST_APP.appid, user });
      out.push({ id: Number(inserted.identifiers[0].id), user, openid });
    }
    return out;
  }
  async function subscribe(member: { id: number; user: string }, k: MessageKind): Promise<void> {
    const { errMsg: _errMsg, ...results } = await emulatorPost('/dev/subscribe', {
      appid: TEST_APP.appid,
      user: member.user,
      tmplIds: [templateOf(k)],
    });
    await t.app.get(MessagesService).report(member.id, { results, moment: 'notify_me', idempotencyKey: key() });
  }
  const request = (overrides: Partial<CreateCampaignRequest>): CreateCampaignRequest => ({
    name: '回归礼',
    filter: {},
    couponTemplateId: null,
    points: 0,
    messageKind: null,
    offerText: null,
    schedule: 'now',
    startsAt: null,
    dormantDays: null,
    daysBefore: null,
    holdoutPermille: 0,
    idempotencyKey: key(),
    ...overrides,
  });
  async function drain(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const pass = await t.app.get(OutboxSender).runOnce();
      t.clock.advance(1);
      if (pass.claimed === 0) return;
    }
  }
  const coupons = (templateId: number, memberIds: number[]) =>
    count(`SELECT COUNT(*) AS n FROM coupon WHERE template_id = ? AND member_id IN (${memberIds.join(',')})`, [templateId]);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'campaigns-config-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ campaigns: { chunkMemberIds: CHUNK } }));
    t = await startTestApp(kind, { LOG_LEVEL: 'silent', CONFIG_FILE: join(dir, 'config.json') });
    campaigns = t.app.get(CampaignsService);
  });
  afterAll(() => t?.close());
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  // WeChat keeps its own count of each member's accepts; ours must say the same after every test.
  afterEach(async () => expect(await grantMismatches(t.db.dataSource, t.emulator.url)).toEqual([]));

  it('issues a coupon, points and a message to its audience once; the report says what became of each message', async () => {
    const audience = await members(5, 1, '阿青');
    const outsiders = await members(2, 2);
    await subscribe(audience[0], 'coupon_arrived');
    await subscribe(audience[1], 'coupon_arrived');
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '回归礼券', totalStock: 100 }));
    const draft = await campaigns.create(
      request({ filter: { birthdayMonths: [1] }, couponTemplateId: template.id, points: 200, messageKind: 'coupon_arrived' }),
      'o-boss',
    );
    expect(draft).toMatchObject({ status: 'draft', couponTemplateName: '回归礼券', runs: [] });
    const launched = await campaigns.launch(draft.id);
    expect(launched.status).toBe('active');
    expect(codeOf(await campaigns.launch(draft.id).catch((e) => e))).toBe('CAMPAIGN_NOT_DRAFT');
    await campaigns.tick();
    await campaigns.tick(); // again: nothing more
    await drain();
    const [run] = (await campaigns.get(draft.id)).runs;
    expect(run).toMatchObject({
      status: 'done',
      targeted: 5,
      heldOut: 0,
      couponsIssued: 5,
      couponsShort: 0,
      pointsGranted: 1000,
      messages: { queued: 0, sent: 2, skipped: { no_grant: 3 }, failed: {} },
    });
    expect((await campaigns.get(draft.id)).status).toBe('ended');
    expect(
      await coupons(
        template.id,
        audience.map((m) => m.id),
      ),
    ).toBe(5);
    expect(
      await coupons(
        template.id,
        outsiders.map((m) => m.id),
      ),
    ).toBe(0);
    const balance = (await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: audience[2].id })).pointsBalance;
    expect(balance).toBe(200);
    const inbox = (await emulatorGet(`/dev/inbox?openid=${audience[0].openid}`)).messages;
    expect(inbox).toHaveLength(1);
    expect(inbox[0].data.thing1.value).toBe('回归礼券');
  });

  it('a draft resent with its key is the same draft; another draft under that key is refused, not answered with the first', async () => {
    const key1 = key();
    const asked = request({ name: '周末回归', points: 50, schedule: 'at', startsAt: '2026-12-20T02:00:00.500Z', idempotencyKey: key1 });
    const first = await campaigns.create(asked, 'o-admin');
    expect((await campaigns.create(asked, 'o-admin')).id).toBe(first.id);
    const changed = await campaigns.create({ ...asked, points: 80 }, 'o-admin').catch((e) => e);
    expect(codeOf(changed)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await campaigns.get(first.id)).points).toBe(50);
  });

  it('holds out a share that gets nothing, and gives out no more coupons than the stock', async () => {
    const audience = await members(400, 3);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '限量券', totalStock: 250 }));
    const campaign = await campaigns.create(
      request({ filter: { birthdayMonths: [3] }, couponTemplateId: template.id, holdoutPermille: 200 }),
      'o-boss',
    );
    await campaigns.launch(campaign.id);
    await campaigns.tick();
    const [run] = (await campaigns.get(campaign.id)).runs;
    expect(run.targeted).toBe(400);
    expect(run.heldOut).toBeGreaterThan(40); // about a fifth: deterministic by member id, not random
    expect(run.heldOut).toBeLessThan(120);
    const treated = 400 - run.heldOut;
    expect(run.couponsIssued).toBe(Math.min(250, treated));
    expect(run.couponsShort).toBe(treated - run.couponsIssued);
    const heldOutIds = (
      await t.db.dataSource.query('SELECT member_id AS id FROM campaign_member WHERE run_id = ? AND holdout = ?', [run.id, true])
    ).map((r: Json) => Number(r.id));
    expect(heldOutIds).toHaveLength(run.heldOut);
    expect(await coupons(template.id, heldOutIds)).toBe(0);
    expect(
      await coupons(
        template.id,
        audience.map((m) => m.id),
      ),
    ).toBe(run.couponsIssued);
    expect((await t.db.dataSource.query('SELECT claimed_count AS n FROM coupon_template WHERE id = ?', [template.id]))[0].n).toBe(
      run.couponsIssued,
    );
    // The report compares what each side spent since the run: one treated member buys ¥128.
    const buyer = audience.find((m) => !heldOutIds.includes(m.id))!;
    await t.app.get(TransactionRunner).run((em) =>
      t.app.get(SaleSettlement).settleWithin(em, {
        memberId: buyer.id,
        staffOpenid: 'o-till',
        idempotencyKey: `holdout-buy-${buyer.id}`,
        storeCode: 'S001',
        grossFen: 12_800,
        couponId: null,
        redemptionId: null,
        couponDiscountFen: 0,
        paidFen: 12_800,
        burn: { points: 0 },
        now: t.clock.now(),
      }),
    );
    const [report] = (await campaigns.get(campaign.id)).runs;
    expect(report.treatment).toEqual({
      members: treated,
      revenueFen: 12_800,
      revenuePerMemberFen: Math.round(12_800 / treated),
      purchasers: 1,
    });
    expect(report.holdout).toEqual({ members: run.heldOut, revenueFen: 0, revenuePerMemberFen: 0, purchasers: 0 });
  });

  it('resumes a run that died between chunks, and every member is issued exactly once', async () => {
    const audience = await members(350, 4);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '续跑券', totalStock: 1000 }));
    const campaign = await campaigns.create(
      request({ filter: { birthdayMonths: [4] }, couponTemplateId: template.id, points: 10 }),
      'o-boss',
    );
    await campaigns.launch(campaign.id);
    const [{ id: runId }] = (await campaigns.get(campaign.id)).runs;
    let chunks = 0;
    const crash = new Error('the process died');
    await expect(
      t.app.get(CampaignIssuer).issue(runId, () => {
        if (++chunks === 2) throw crash;
      }),
    ).rejects.toBe(crash);
    const partial = await t.db.dataSource.getRepository(CampaignRun).findOneByOrFail({ id: runId });
    expect(partial.status).toBe('issuing');
    await campaigns.tick(); // a restarted instance carries on from the checkpoint
    await campaigns.tick();
    const [run] = (await campaigns.get(campaign.id)).runs;
    expect(run).toMatchObject({ status: 'done', targeted: 350, couponsIssued: 350, pointsGranted: 3500 });
    const ids = audience.map((m) => m.id).join(',');
    expect(await count(`SELECT COUNT(*) AS n FROM campaign_member WHERE run_id = ? AND member_id IN (${ids})`, [runId])).toBe(350);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM (SELECT member_id FROM coupon WHERE template_id = ? GROUP BY member_id HAVING COUNT(*) > 1) d`,
        [template.id],
      ),
    ).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM member WHERE id IN (${ids}) AND points_balance <> 10`)).toBe(0);
  });

  it('issues chunks of one run at once on MySQL, each member once; a failure stops the call, each chunk whole or not at all', async () => {
    const audience = await members(450, 7);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '并行券', totalStock: 1000 }));
    const campaign = await campaigns.create(
      request({ filter: { birthdayMonths: [7] }, couponTemplateId: template.id, points: 5 }),
      'o-boss',
    );
    await campaigns.launch(campaign.id);
    const [{ id: runId }] = (await campaigns.get(campaign.id)).runs;
    // How many chunk transactions are open at once.
    const runner = t.app.get(TransactionRunner);
    const run = runner.run.bind(runner);
    let open = 0;
    let most = 0;
    const spy = jest.spyOn(runner, 'run').mockImplementation(((work: (em: never) => Promise<unknown>, options?: never) =>
      run(async (em) => {
        most = Math.max(most, ++open);
        try {
          return await work(em as never);
        } finally {
          open--;
        }
      }, options)) as never);
    try {
      let reported = 0;
      const crash = new Error('the process died');
      await expect(
        t.app.get(CampaignIssuer).issue(runId, () => {
          if (++reported === 2) throw crash;
        }),
      ).rejects.toBe(crash);
      // No chunk started after the failure; those in flight finished, each whole: the run's counters are exactly what
      // its done chunks wrote, and some chunks are left for the next call.
      const { lastMemberId } = await t.db.dataSource.getRepository(CampaignRun).findOneByOrFail({ id: runId });
      const chunks: Array<{ first: number | string }> = await t.db.dataSource.query(
        'SELECT first_member_id AS first FROM campaign_run_chunk WHERE run_id = ? ORDER BY first_member_id',
        [runId],
      );
      expect(lastMemberId).toBeGreaterThan(4 * CHUNK);
      // The two reported, and at most the others that were in flight with the second (the call's other workers).
      const workers = kind === 'mariadb' ? 4 : 1;
      expect(chunks.length).toBeGreaterThanOrEqual(2);
      expect(chunks.length).toBeLessThanOrEqual(2 + workers - 1);
      const partial = await t.db.dataSource.getRepository(CampaignRun).findOneByOrFail({ id: runId });
      expect(partial.targeted).toBe(await count('SELECT COUNT(*) AS n FROM campaign_member WHERE run_id = ?', [runId]));

      await campaigns.tick();
      await campaigns.tick();
      expect(most).toBe(kind === 'mariadb' ? 4 : 1);
    } finally {
      spy.mockRestore();
    }
    const [report] = (await campaigns.get(campaign.id)).runs;
    expect(report).toMatchObject({ status: 'done', targeted: 450, couponsIssued: 450, pointsGranted: 2250 });
    const ids = audience.map((m) => m.id).join(',');
    expect(
      await coupons(
        template.id,
        audience.map((m) => m.id),
      ),
    ).toBe(450);
    expect(await count(`SELECT COUNT(*) AS n FROM member WHERE id IN (${ids}) AND points_balance <> 5`)).toBe(0);
    expect((await t.app.get(TemplatesService).get(template.id)).claimedCount).toBe(450);
  });

  it("chunks in parallel and flash claims taking one template's stock at once give out exactly the stock, never more", async () => {
    // The pair: a run's chunks take stock at their ends (and again, scarce, under the template's lock once it runs
    // short) while members claim the same template through the write-combined flush.
    const audience = await members(400, 10);
    const yesterday = new Date(t.clock.now().getTime() - 86_400_000);
    const claimers = await insertJoinedMembers(t.db.dataSource, 200, `claim-race-${key()}`, yesterday);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '争抢券', totalStock: 300 }));
    const campaign = await campaigns.create(request({ filter: { birthdayMonths: [10] }, couponTemplateId: template.id }), 'o-boss');
    await campaigns.launch(campaign.id);
    const claims = t.app.get(ClaimService);
    const [, ...answers] = await Promise.all([
      campaigns.tick(),
      ...claimers.map((memberId) =>
        claims.claim(memberId, template.id, key()).then(
          () => 'claimed',
          (error) => codeOf(error),
        ),
      ),
    ]);
    const claimed = answers.filter((answer) => answer === 'claimed').length;
    expect(answers.filter((answer) => answer !== 'claimed' && answer !== 'COUPON_OUT_OF_STOCK')).toEqual([]);
    const [run] = (await campaigns.get(campaign.id)).runs;
    expect(run).toMatchObject({ status: 'done', targeted: 400 });
    expect(run.couponsIssued + run.couponsShort).toBe(400);
    expect(run.couponsIssued + claimed).toBe(300);
    expect(
      await coupons(
        template.id,
        audience.map((m) => m.id),
      ),
    ).toBe(run.couponsIssued);
    expect(await coupons(template.id, claimers)).toBe(claimed);
    expect((await t.app.get(TemplatesService).get(template.id)).claimedCount).toBe(300);
  });

  it('leaves alone the ids below the checkpoint of a run started before chunk claims (next_member_id)', async () => {
    const audience = await members(120, 8);
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '续接券', totalStock: 1000 }));
    const campaign = await campaigns.create(request({ filter: { birthdayMonths: [8] }, couponTemplateId: template.id }), 'o-boss');
    await campaigns.launch(campaign.id);
    const [{ id: runId }] = (await campaigns.get(campaign.id)).runs;
    // As the old runner left it: everything below the 61st of these members was issued.
    const resumeAt = audience[60].id;
    await t.db.dataSource.query('UPDATE campaign_run SET next_member_id = ? WHERE id = ?', [resumeAt, runId]);
    await t.app.get(CampaignIssuer).issue(runId);
    const [report] = (await campaigns.get(campaign.id)).runs;
    expect(report).toMatchObject({ status: 'done', targeted: 60, couponsIssued: 60 });
    expect(
      await coupons(
        template.id,
        audience.slice(0, 60).map((m) => m.id),
      ),
    ).toBe(0);
    expect(
      await coupons(
        template.id,
        audience.slice(60).map((m) => m.id),
      ),
    ).toBe(60);
  });

  // Two processes on one database need a database server: the embedded SQLite file is one process's.
  (kind === 'mariadb' ? it : it.skip)('two server instances issuing one run at once issue every member exactly once', async () => {
    const audience = await members(500, 5);
    await Promise.all(audience.slice(0, 50).map((m) => subscribe(m, 'coupon_arrived')));
    const template = await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { name: '双实例券', totalStock: 1000 }));
    const campaign = await campaigns.create(
      request({ filter: { birthdayMonths: [5] }, couponTemplateId: template.id, messageKind: 'coupon_arrived' }),
      'o-boss',
    );
    const dataSource = await openDatabase(dataSourceOptions({ url: t.db.url, sqlitePath: '', poolSize: 5 }));
    const other = await createApp({ config: t.config, clock: t.clock, dataSource });
    await other.init();
    try {
      await campaigns.launch(campaign.id);
      await Promise.all([campaigns.tick(), other.get(CampaignsService).tick(), campaigns.tick(), other.get(CampaignsService).tick()]);
      await Promise.all([t.app.get(OutboxSender).runOnce(), other.get(OutboxSender).runOnce()]);
      await drain();
    } finally {
      await other.close();
    }
    const [run] = (await campaigns.get(campaign.id)).runs;
    expect(run).toMatchObject({ status: 'done', targeted: 500, couponsIssued: 500, messages: { sent: 50, skipped: { no_grant: 450 } } });
    expect(
      await coupons(
        template.id,
        audience.map((m) => m.id),
      ),
    ).toBe(500);
    for (const m of audience.slice(0, 50)) expect((await emulatorGet(`/dev/inbox?openid=${m.openid}`)).messages).toHaveLength(1);
  });

  it('reactivation runs daily for members quiet exactly N days, once per period', async () => {
    const [quiet, recent, older] = await members(3, 6);
    const at = (daysAgo: number) => new Date(t.clock.now().getTime() - daysAgo * 86_400_000);
    await t.db.dataSource.getRepository(Member).update({ id: quiet.id }, { lastPurchaseAt: at(30) });
    await t.db.dataSource.getRepository(Member).update({ id: recent.id }, { lastPurchaseAt: at(29) });
    await t.db.dataSource.getRepository(Member).update({ id: older.id }, { lastPurchaseAt: at(31) });
    const campaign = await campaigns.create(
      request({ filter: { birthdayMonths: [6] }, points: 50, schedule: 'reactivation', dormantDays: 30 }),
      'o-boss',
    );
    await campaigns.launch(campaign.id);
    await campaigns.tick();
    await campaigns.tick();
    const runs = (await campaigns.get(campaign.id)).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'done', targeted: 1, pointsGranted: 50 });
    expect((await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: quiet.id })).pointsBalance).toBe(50);
    t.clock.advance(86_400);
    await campaigns.tick();
    const next = (await campaigns.get(campaign.id)).runs;
    expect(next).toHaveLength(2);
    expect(next[0]).toMatchObject({ targeted: 1 }); // `recent` reached 30 days today; `quiet` is at 31
    expect((await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: recent.id })).pointsBalance).toBe(50);
    expect((await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: quiet.id })).pointsBalance).toBe(50);
    t.clock.advance(-86_400);
  });

  it('a birthday campaign runs daily in the birthday month and reaches each member once a year', async () => {
    const month = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', month: 'numeric' }).format(t.clock.now()));
    const [early] = await members(1, month);
    const campaign = await campaigns.create(
      request({ filter: { lifecycleStatuses: ['new', 'active', 'regular', 'dormant', 'churned'] }, points: 88, schedule: 'birthday' }),
      'o-boss',
    );
    await campaigns.launch(campaign.id);
    await campaigns.tick();
    const first = (await campaigns.get(campaign.id)).runs[0];
    expect(first.targeted).toBeGreaterThanOrEqual(1);
    t.clock.advance(86_400);
    const [late] = await members(1, month); // set a birthday in this month after the first run
    await campaigns.tick();
    const runs = (await campaigns.get(campaign.id)).runs;
    expect(runs).toHaveLength(2);
    expect(runs[0].targeted).toBe(1); // only the newcomer: nobody a second time this year
    expect((await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: early.id })).pointsBalance).toBe(88);
    expect((await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: late.id })).pointsBalance).toBe(88);
    await campaigns.setPaused(campaign.id, true);
    t.clock.advance(-86_400);
  });

  it('a birthday campaign with day windows celebrates 29 February on the 28th in non-leap years, like the birthday perks', async () => {
    const before = t.clock.now();
    const window = t.config.birthday.perk.window;
    t.config.birthday.perk.window = 'day';
    try {
      t.clock.set('2027-02-28T04:00:00Z'); // 12:00 in Shanghai
      const [feb28, feb29, mar1] = await members(3, 2);
      await t.db.dataSource.query(
        'UPDATE member SET birthday_day = CASE id WHEN ? THEN 28 WHEN ? THEN 29 ELSE 1 END,' +
          ' birthday_month = CASE id WHEN ? THEN 3 ELSE 2 END WHERE id IN (?, ?, ?)',
        [feb28.id, feb29.id, mar1.id, feb28.id, feb29.id, mar1.id],
      );
      const campaign = await campaigns.create(request({ filter: {}, points: 29, schedule: 'birthday' }), 'o-boss');
      await campaigns.launch(campaign.id);
      await campaigns.tick();
      await campaigns.setPaused(campaign.id, true);
      const reached = await t.db.dataSource.query('SELECT member_id AS memberId FROM campaign_member WHERE run_id = ? ORDER BY member_id', [
        (await campaigns.get(campaign.id)).runs[0].id,
      ]);
      expect(reached.map((r: { memberId: number | string }) => Number(r.memberId))).toEqual([feb28.id, feb29.id]);
    } finally {
      t.config.birthday.perk.window = window;
      t.clock.set(before);
    }
  });

  it('refuses an empty offer, an unknown coupon and launching twice', async () => {
    expect(codeOf(await campaigns.create(request({}), 'o-boss').catch((e) => e))).toBe('CAMPAIGN_EMPTY_OFFER');
    expect(codeOf(await campaigns.create(request({ couponTemplateId: 999_999 }), 'o-boss').catch((e) => e))).toBe(
      'CAMPAIGN_COUPON_TEMPLATE_UNKNOWN',
    );
    const same = request({ points: 1 });
    const [a, b] = await Promise.all([campaigns.create(same, 'o-boss'), campaigns.create(same, 'o-boss')]);
    expect(a.id).toBe(b.id);
    expect(codeOf(await campaigns.get(999_999).catch((e) => e))).toBe('CAMPAIGN_NOT_FOUND');
    await campaigns.launch(a.id);
    expect(codeOf(await campaigns.setPaused(a.id, false).catch((e) => e))).toBe('CAMPAIGN_STATUS_CONFLICT');
  });
});
