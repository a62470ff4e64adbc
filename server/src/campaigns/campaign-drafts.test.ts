import type { UpdateCampaignRequest } from '@member/shared';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf, joinedMembersSpec, keyMaker } from '../testing/spec';
import type { TestApp } from '../testing/test-app';
import { CampaignsService } from './campaigns.service';

const key = keyMaker('draft');

/** Issue 16: a campaign is edited and deleted while a draft only; a launch at the same moment and either: one wins. */
describe.each(TEST_DATABASES)('campaign drafts on %s', (kind) => {
  const { start, member } = joinedMembersSpec(kind, 'cd', 60, '2026-11-20T00:00:00Z');
  let t: TestApp;
  let campaigns: CampaignsService;
  let month = 0;
  const setUp = (overrides: Partial<UpdateCampaignRequest> = {}): UpdateCampaignRequest => ({
    name: '回归礼',
    filter: { birthdayMonths: [month] },
    couponTemplateId: null,
    points: 10,
    messageKind: null,
    offerText: null,
    schedule: 'now',
    startsAt: null,
    dormantDays: null,
    daysBefore: null,
    holdoutPermille: 0,
    ...overrides,
  });
  /** Three members of their own birthday month, so each test's audience is its own. */
  async function audience(): Promise<number[]> {
    month = (month % 12) + 1;
    const ids = [member(), member(), member()];
    await t.db.dataSource.query(`UPDATE member SET birthday_month = ?, birthday_day = 1 WHERE id IN (${ids.join(',')})`, [month]);
    return ids;
  }
  const draft = () => campaigns.create({ ...setUp(), idempotencyKey: key() }, 'o-boss');
  const runs = async (id: number) =>
    Number((await t.db.dataSource.query('SELECT COUNT(*) AS n FROM campaign_run WHERE campaign_id = ?', [id]))[0].n);

  beforeAll(async () => {
    t = await start();
    campaigns = t.app.get(CampaignsService);
  });
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('edits and deletes a draft; a launched campaign refuses both with CAMPAIGN_NOT_DRAFT', async () => {
    await audience();
    const created = await draft();
    const edited = await campaigns.update(
      created.id,
      setUp({ name: '回归礼（改）', points: 30, schedule: 'at', startsAt: '2027-01-01T02:00:00.000Z' }),
    );
    expect(edited).toMatchObject({ id: created.id, status: 'draft', name: '回归礼（改）', points: 30, schedule: 'at' });
    expect(codeOf(await campaigns.update(created.id, setUp({ points: 0 })).catch((e) => e))).toBe('CAMPAIGN_EMPTY_OFFER');
    await campaigns.launch(created.id);
    expect(codeOf(await campaigns.update(created.id, setUp()).catch((e) => e))).toBe('CAMPAIGN_NOT_DRAFT');
    expect(codeOf(await campaigns.remove(created.id).catch((e) => e))).toBe('CAMPAIGN_NOT_DRAFT');
    expect((await campaigns.get(created.id)).name).toBe('回归礼（改）');

    const other = await draft();
    await campaigns.remove(other.id);
    expect(codeOf(await campaigns.get(other.id).catch((e) => e))).toBe('CAMPAIGN_NOT_FOUND');
    expect(codeOf(await campaigns.remove(other.id).catch((e) => e))).toBe('CAMPAIGN_NOT_FOUND');
    expect(codeOf(await campaigns.launch(other.id).catch((e) => e))).toBe('CAMPAIGN_NOT_FOUND');
  });

  it('a delete and a launch of one draft at the same time: exactly one wins, and a deleted draft never runs', async () => {
    for (let round = 0; round < 5; round++) {
      await audience();
      const created = await draft();
      const [launch, removal] = await Promise.allSettled([campaigns.launch(created.id), campaigns.remove(created.id)]);
      expect([launch.status, removal.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      await campaigns.tick();
      if (launch.status === 'fulfilled') {
        expect(codeOf((removal as PromiseRejectedResult).reason)).toBe('CAMPAIGN_NOT_DRAFT');
        expect((await campaigns.get(created.id)).runs[0]).toMatchObject({ status: 'done', targeted: 3, pointsGranted: 30 });
      } else {
        expect(codeOf(launch.reason)).toMatch(/CAMPAIGN_(NOT_FOUND|STATUS_CONFLICT)/);
        expect(await runs(created.id)).toBe(0);
      }
    }
  });

  it('an edit and a launch at the same time: the run gives what was launched, edited or not', async () => {
    for (let round = 0; round < 5; round++) {
      await audience();
      const created = await draft();
      const [, edit] = await Promise.allSettled([campaigns.launch(created.id), campaigns.update(created.id, setUp({ points: 25 }))]);
      await campaigns.tick();
      const launched = await campaigns.get(created.id);
      if (edit.status === 'fulfilled') expect(launched.points).toBe(25);
      else {
        expect(codeOf(edit.reason)).toBe('CAMPAIGN_NOT_DRAFT');
        expect(launched.points).toBe(10);
      }
      expect(launched.runs[0]).toMatchObject({ status: 'done', targeted: 3, pointsGranted: 3 * launched.points });
    }
  });
});
