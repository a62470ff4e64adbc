import type { CreateCouponTemplateRequest } from '@member/shared';
import { CampaignsService } from '../campaigns/campaigns.service';
import { sqlDate } from '../database/sql';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf, joinedMembersSpec, keyMaker } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { ClaimService } from './claim.service';
import { TemplatesService } from './templates.service';
import type { StaffAccount } from '../auth/staff.service';
import { TransactionRunner } from '../database/transaction-runner';
import { GoodwillService } from '../feedback/goodwill.service';

const START = '2026-11-23T02:00:00Z'; // 10:00 in Shanghai
const DAY = 86_400_000;
const key = keyMaker('tpl-edit');

/**
 * Issue 16: a template is edited and deleted only while it is not live (TemplatesService), and an edit or delete
 * racing the ways it goes live (a resume and its claims, a campaign's launch and run) never changes the terms of
 * a coupon already given, nor loses one.
 */
describe.each(TEST_DATABASES)('coupon templates edited while not live, on %s', (kind) => {
  const { start, member } = joinedMembersSpec(kind, 'te', 120, '2026-11-20T00:00:00Z');
  let t: TestApp;
  let templates: TemplatesService;
  let claims: ClaimService;
  let campaigns: CampaignsService;
  const now = () => t.clock.now();
  const count = async (sql: string, params: unknown[]) => Number((await t.db.dataSource.query(sql, params))[0].n);
  /** Claimable from tomorrow: not live yet. */
  const upcoming = (overrides: Partial<CreateCouponTemplateRequest> = {}) =>
    templateRequest(now(), {
      claimStartsAt: new Date(now().getTime() + DAY).toISOString(),
      validity: { type: 'relative', validDays: 30 },
      ...overrides,
    });
  /** Coupons of a template whose validity ends within `days` days (3-day terms) or after (30-day terms). */
  const validWithin = (templateId: number, days: number) =>
    count('SELECT COUNT(*) AS n FROM coupon WHERE template_id = ? AND valid_until < ?', [
      templateId,
      sqlDate(t.db.dataSource.manager, new Date(now().getTime() + days * DAY)),
    ]);
  const coupons = (templateId: number) => count('SELECT COUNT(*) AS n FROM coupon WHERE template_id = ?', [templateId]);
  const claimedCount = (templateId: number) => count('SELECT claimed_count AS n FROM coupon_template WHERE id = ?', [templateId]);

  beforeAll(async () => {
    t = await start();
    templates = t.app.get(TemplatesService);
    claims = t.app.get(ClaimService);
    campaigns = t.app.get(CampaignsService);
  });
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));
  beforeEach(() => t.clock.set(START));

  it('edits and deletes a template that is not live yet', async () => {
    const draft = await templates.create(upcoming({ name: '新品券' }));
    expect(draft.liveBecause).toBeNull();
    const edited = await templates.update(
      draft.id,
      upcoming({ name: '新品券（改）', totalStock: 50, perMemberLimit: 2, validity: { type: 'relative', validDays: 3 } }),
    );
    expect(edited).toMatchObject({ id: draft.id, name: '新品券（改）', totalStock: 50, perMemberLimit: 2, validity: { validDays: 3 } });
    expect(edited.liveBecause).toBeNull();
    await templates.remove(draft.id);
    expect(codeOf(await templates.get(draft.id).catch((e) => e))).toBe('COUPON_TEMPLATE_NOT_FOUND');
    expect(codeOf(await templates.remove(draft.id).catch((e) => e))).toBe('COUPON_TEMPLATE_NOT_FOUND');
  });

  it('refuses to edit or delete a live template with COUPON_TEMPLATE_ALREADY_LIVE, and says why it is live', async () => {
    const refusal = async (id: number) => [
      codeOf(await templates.update(id, upcoming()).catch((e) => e)),
      codeOf(await templates.remove(id).catch((e) => e)),
    ];
    // Claimable: active with its window open (members see it in the claim centre).
    const open = await templates.create(templateRequest(now()));
    expect(open.liveBecause).toBe('claimable');
    expect(await refusal(open.id)).toEqual(['COUPON_TEMPLATE_ALREADY_LIVE', 'COUPON_TEMPLATE_ALREADY_LIVE']);
    // Paused before anyone claimed: nobody holds its terms, so it may be corrected.
    await templates.setStatus(open.id, 'paused');
    expect((await templates.get(open.id)).liveBecause).toBeNull();
    // A coupon given: live for good, paused or not.
    await templates.setStatus(open.id, 'active');
    await claims.claim(member(), open.id, key());
    await templates.setStatus(open.id, 'paused');
    expect((await templates.get(open.id)).liveBecause).toBe('coupons_given');
    expect(await refusal(open.id)).toEqual(['COUPON_TEMPLATE_ALREADY_LIVE', 'COUPON_TEMPLATE_ALREADY_LIVE']);
    // Offered by a campaign: a draft keeps it from deletion only; a launched one makes it live.
    const offered = await templates.create(upcoming({ name: '活动券' }));
    const campaign = await campaigns.create(
      {
        name: '试投放',
        filter: { birthdayMonths: [12] },
        couponTemplateId: offered.id,
        points: 0,
        messageKind: null,
        offerText: null,
        schedule: 'at',
        startsAt: new Date(now().getTime() + 10 * DAY).toISOString(),
        dormantDays: null,
        daysBefore: null,
        holdoutPermille: 0,
        idempotencyKey: key(),
      },
      'o-boss',
    );
    expect(codeOf(await templates.remove(offered.id).catch((e) => e))).toBe('COUPON_TEMPLATE_IN_USE');
    expect((await templates.update(offered.id, upcoming({ name: '活动券（改）' }))).name).toBe('活动券（改）');
    await campaigns.launch(campaign.id);
    expect((await templates.get(offered.id)).liveBecause).toBe('campaign');
    expect(await refusal(offered.id)).toEqual(['COUPON_TEMPLATE_ALREADY_LIVE', 'COUPON_TEMPLATE_ALREADY_LIVE']);
  });

  it('a claim right after an edit gets the edited terms, though the claim path had the old ones cached', async () => {
    const template = await templates.create(templateRequest(now(), { validity: { type: 'relative', validDays: 30 } }));
    await templates.setStatus(template.id, 'paused');
    // Caches the template in the claim path (refused: paused).
    expect(codeOf(await claims.claim(member(), template.id, key()).catch((e) => e))).toBe('COUPON_TEMPLATE_PAUSED');
    await templates.update(template.id, templateRequest(now(), { validity: { type: 'relative', validDays: 3 } }));
    await templates.setStatus(template.id, 'active');
    await claims.claim(member(), template.id, key());
    expect(await validWithin(template.id, 5)).toBe(1);
  });

  it('an edit and a delete racing a resume and its claims: either lands before the first coupon, or is refused', async () => {
    for (let round = 0; round < 4; round++) {
      const template = await templates.create(templateRequest(now(), { totalStock: 10, validity: { type: 'relative', validDays: 30 } }));
      await templates.setStatus(template.id, 'paused');
      const claimants = Array.from({ length: 6 }, () => member());
      const [claimed, edit, removal] = await Promise.allSettled([
        (async () => {
          // Refused when the delete won: nothing left to resume.
          await templates.setStatus(template.id, 'active').catch((e) => expect(codeOf(e)).toBe('COUPON_TEMPLATE_NOT_FOUND'));
          return Promise.allSettled(claimants.map((m) => claims.claim(m, template.id, key())));
        })(),
        templates.update(template.id, templateRequest(now(), { totalStock: 10, validity: { type: 'relative', validDays: 3 } })),
        round % 2 ? templates.remove(template.id) : Promise.reject(new Error('no delete this round')),
      ]);
      expect(claimed.status).toBe('fulfilled');
      const given = await coupons(template.id);
      if (removal.status === 'fulfilled') {
        expect(given).toBe(0); // deleted before it went live: no coupon of it was ever given
        continue;
      }
      if (round % 2) expect(codeOf(removal.reason)).toMatch(/COUPON_TEMPLATE_(ALREADY_LIVE|NOT_FOUND)/);
      expect(given).toBe(await claimedCount(template.id)); // every coupon counted against the stock
      if (edit.status === 'fulfilled') expect(await validWithin(template.id, 5)).toBe(given);
      else {
        expect(codeOf(edit.reason)).toBe('COUPON_TEMPLATE_ALREADY_LIVE');
        expect(await validWithin(template.id, 5)).toBe(0);
        expect((await templates.get(template.id)).validity).toEqual({ type: 'relative', validDays: 30 });
      }
    }
  });

  if (kind === 'mariadb')
    it('a goodwill coupon given while its template is edited carries the edited terms (its snapshot predates the edit)', async () => {
      const template = await templates.create(upcoming({ validity: { type: 'relative', validDays: 30 } }));
      const memberId = member();
      const admin: StaffAccount = { id: 9104, openid: 'o-te-admin', role: 'admin', name: null, stores: [] };
      await t.app.get(TransactionRunner).run(async (em) => {
        // The gift's transaction has read the template (its snapshot) before the edit commits on another connection.
        await em.query('SELECT id FROM coupon_template WHERE id = ?', [template.id]);
        await templates.update(template.id, upcoming({ validity: { type: 'relative', validDays: 3 } }));
        await t.app.get(GoodwillService).grant(em, admin, {
          caseId: null,
          memberId,
          ask: { kind: 'coupon', templateId: template.id, reason: '补偿' },
          idempotencyKey: key(),
          now: now(),
        });
      });
      expect([await coupons(template.id), await validWithin(template.id, 4)]).toEqual([1, 1]);
      // Given, the template is live: a later edit is refused.
      expect(codeOf(await templates.update(template.id, upcoming()).catch((e) => e))).toBe('COUPON_TEMPLATE_ALREADY_LIVE');
    });

  it('an edit racing a campaign launch and its run: the run gives the terms the template had at launch, to everyone', async () => {
    for (let round = 0; round < 3; round++) {
      const month = 1 + round;
      const audience = Array.from({ length: 4 }, () => member());
      await t.db.dataSource.query(`UPDATE member SET birthday_month = ?, birthday_day = 1 WHERE id IN (${audience.join(',')})`, [month]);
      const template = await templates.create(upcoming({ totalStock: 100 }));
      const campaign = await campaigns.create(
        {
          name: `并发投放${round}`,
          filter: { birthdayMonths: [month] },
          couponTemplateId: template.id,
          points: 0,
          messageKind: null,
          offerText: null,
          schedule: 'now',
          startsAt: null,
          dormantDays: null,
          daysBefore: null,
          holdoutPermille: 0,
          idempotencyKey: key(),
        },
        'o-boss',
      );
      const [launched, edit] = await Promise.allSettled([
        campaigns.launch(campaign.id).then(() => campaigns.tick()),
        templates.update(template.id, upcoming({ totalStock: 100, validity: { type: 'relative', validDays: 3 } })),
      ]);
      expect(launched.status).toBe('fulfilled');
      await campaigns.tick();
      const [run] = (await campaigns.get(campaign.id)).runs;
      expect(run).toMatchObject({ status: 'done', couponsIssued: run.targeted, couponsShort: 0 });
      expect(await coupons(template.id)).toBe(run.couponsIssued);
      expect(await claimedCount(template.id)).toBe(run.couponsIssued);
      if (edit.status === 'fulfilled') expect(await validWithin(template.id, 5)).toBe(run.couponsIssued);
      else {
        expect(codeOf(edit.reason)).toBe('COUPON_TEMPLATE_ALREADY_LIVE');
        expect(await validWithin(template.id, 5)).toBe(0);
      }
    }
  });
});
