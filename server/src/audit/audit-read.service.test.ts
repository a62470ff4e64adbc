import { StaffService, type StaffAccount } from '../auth/staff.service';
import { TEST_DATABASES } from '../testing/databases';
import { codeOf } from '../testing/spec';
import { startTestApp, type TestApp } from '../testing/test-app';
import { AuditReadService } from './audit-read.service';
import { AuditService } from './audit.service';

/**
 * The console's audit log (issue 18): by business day (Asia/Shanghai, both ends included), by member, by actor
 * and action, paged; a store manager sees their stores' entries and nothing else; every entry names its staff.
 */
describe.each(TEST_DATABASES)('reading the audit log on %s', (kind) => {
  let t: TestApp;
  let audit: AuditService;
  let reader: AuditReadService;
  let hq: StaffAccount;
  let lin: StaffAccount;
  let zhou: StaffAccount;

  beforeAll(async () => {
    t = await startTestApp(kind);
    audit = t.app.get(AuditService);
    reader = t.app.get(AuditReadService);
    const staff = t.app.get(StaffService);
    await staff.bind('o-audit-hq', 'admin', '总部小王', []);
    await staff.bind('o-audit-lin', 'store_manager', '林店长', ['S001']);
    await staff.bind('o-audit-zhou', 'clerk', '周店员', ['S002']);
    const account = async (openid: string) => (await staff.accountOf(openid))!;
    [hq, lin, zhou] = [await account('o-audit-hq'), await account('o-audit-lin'), await account('o-audit-zhou')];

    // Around the business day 2026-12-01 (UTC+8): its first and last second, and the seconds either side.
    const at = async (iso: string, who: StaffAccount, action: string, storeCode: string | null, memberId: number | null) => {
      t.clock.set(iso);
      await audit.record(who, { action, outcome: 'ok', storeCode, memberId });
    };
    await at('2026-11-30T15:59:59Z', lin, 'purchase.record', 'S001', 1); // 11-30 23:59:59
    await at('2026-11-30T16:00:00Z', lin, 'purchase.record', 'S001', 2); // 12-01 00:00:00
    await at('2026-12-01T03:00:00Z', zhou, 'coupon.redeem', 'S002', 2);
    await at('2026-12-01T04:00:00Z', hq, 'campaign.launch', null, null);
    await at('2026-12-01T15:59:59Z', zhou, 'purchase.record', 'S001', 3); // 12-01 23:59:59
    await at('2026-12-01T16:00:00Z', lin, 'purchase.refund', 'S001', 2); // 12-02 00:00:00
  });
  afterAll(() => t?.close());

  const ids = (page: { entries: Array<{ memberId: number | null; action: string }> }) =>
    page.entries.map((e) => `${e.action}:${e.memberId}`);

  it('takes whole business days, both ends included, in the business time zone', async () => {
    const day = await reader.page({ limit: 50, from: '2026-12-01', to: '2026-12-01' });
    expect(ids(day)).toEqual(['purchase.record:3', 'campaign.launch:null', 'coupon.redeem:2', 'purchase.record:2']);
    expect(ids(await reader.page({ limit: 50, from: '2026-12-02' }))).toEqual(['purchase.refund:2']);
    expect(ids(await reader.page({ limit: 50, to: '2026-11-30' }))).toEqual(['purchase.record:1']);
  });

  it('filters by member, actor and action together, and pages newest first', async () => {
    expect(ids(await reader.page({ limit: 50, memberId: 2 }))).toEqual(['purchase.refund:2', 'coupon.redeem:2', 'purchase.record:2']);
    expect(ids(await reader.page({ limit: 50, memberId: 2, staffOpenid: 'o-audit-lin' }))).toEqual([
      'purchase.refund:2',
      'purchase.record:2',
    ]);
    expect(ids(await reader.page({ limit: 50, action: 'purchase.record', from: '2026-12-01' }))).toEqual([
      'purchase.record:3',
      'purchase.record:2',
    ]);
    const first = await reader.page({ limit: 4 });
    expect(first.entries).toHaveLength(4);
    const rest = await reader.page({ limit: 4, before: first.nextBefore! });
    expect(ids(rest)).toEqual(['purchase.record:2', 'purchase.record:1']);
    expect(rest.nextBefore).toBeNull();
  });

  it('shows a store manager the entries of their stores only, HQ everything, each with the staff name', async () => {
    const mine = await reader.pageFor(lin, { limit: 50 });
    expect(mine.entries.every((e) => e.storeCode === 'S001')).toBe(true);
    expect(ids(mine)).toEqual(['purchase.refund:2', 'purchase.record:3', 'purchase.record:2', 'purchase.record:1']);
    // A clerk of another store acting at S001 is in the S001 manager's log, named.
    expect(mine.entries[1]).toMatchObject({ staffOpenid: 'o-audit-zhou', staffName: '周店员', role: 'clerk' });
    expect(await reader.pageFor(lin, { limit: 50, storeCode: 'S002' }).then(() => 'no error', codeOf)).toBe('STORE_NOT_YOURS');
    const all = await reader.pageFor(hq, { limit: 50 });
    expect(all.entries).toHaveLength(6);
    expect(all.entries.find((e) => e.action === 'campaign.launch')).toMatchObject({ staffName: '总部小王', storeCode: null });
    expect(ids(await reader.pageFor(hq, { limit: 50, storeCode: 'S002' }))).toEqual(['coupon.redeem:2']);
    // A manager of no store sees nothing rather than everything.
    expect((await reader.pageFor({ ...lin, stores: [] }, { limit: 50 })).entries).toEqual([]);
  });

  it('offers the recorded actions and the staff a reader may filter by', async () => {
    const forHq = await reader.filtersFor(hq);
    expect(forHq.actions).toEqual(['campaign.launch', 'coupon.redeem', 'purchase.record', 'purchase.refund']);
    expect(forHq.actors.map((a) => a.openid)).toEqual(expect.arrayContaining(['o-audit-hq', 'o-audit-lin', 'o-audit-zhou']));
    const forLin = await reader.filtersFor(lin);
    expect(forLin.actors.map((a) => a.openid)).toContain('o-audit-lin');
    expect(forLin.actors.map((a) => a.openid)).not.toContain('o-audit-zhou');
  });
});
