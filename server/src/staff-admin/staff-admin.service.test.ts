import { AuditService } from '../audit/audit.service';
import { StaffService, type StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { TEST_DATABASES } from '../testing/databases';
import { expectInvariants } from '../testing/invariants';
import { codeOf } from '../testing/spec';
import { startTestApp, type TestApp } from '../testing/test-app';
import { StaffAdminService } from './staff-admin.service';

describe.each(TEST_DATABASES)('stores, staff and staff invites (邀请员工) on %s', (kind) => {
  let t: TestApp;
  let admin: StaffAdminService;
  let staff: StaffService;
  let hq: StaffAccount;
  let manager: StaffAccount;
  let seq = 0;
  const failure = (promise: Promise<unknown>) => promise.then(() => 'no error', codeOf);
  /** A WeChat user who is not staff yet (the accept route needs only a member session). */
  const user = () => {
    const openid = `o-invitee-${kind}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;
    return { memberId: 100_000 + seq, openid };
  };
  const account = async (openid: string) => (await staff.accountOf(openid))!;

  beforeAll(async () => {
    t = await startTestApp(kind, { LOG_LEVEL: 'silent' });
    admin = t.app.get(StaffAdminService);
    staff = t.app.get(StaffService);
    await staff.bind('o-sa-hq', 'admin', '总部小张', []);
    await staff.bind('o-sa-lin', 'store_manager', '林店长', ['S001']);
    hq = await account('o-sa-hq');
    manager = await account('o-sa-lin');
  });
  afterAll(() => t?.close());
  beforeEach(() => t.clock.set('2026-12-01T02:00:00Z'));
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('an invite shows its store and role, makes one account once, and is audited', async () => {
    const invite = await admin.createInvite(hq, { role: 'store_manager', stores: ['S002'], name: '王店长' });
    expect(invite.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(invite).toMatchObject({ status: 'pending', role: 'store_manager', stores: ['S002'], createdBy: '总部小张' });
    // Expiry from config (staffInvites.inviteSeconds = 30 min).
    expect(invite.expiresAt).toBe('2026-12-01T02:30:00.000Z');

    expect(await admin.preview(invite.token)).toMatchObject({
      role: 'store_manager',
      stores: [{ code: 'S002', name: '悦享万象城店' }],
      invitedBy: '总部小张',
      status: 'pending',
    });
    const me = user();
    const accepted = await admin.accept(me, invite.token);
    expect(accepted).toMatchObject({ role: 'store_manager', stores: ['S002'] });
    expect(await account(me.openid)).toMatchObject({ id: accepted.staffId, role: 'store_manager', name: '王店长', stores: ['S002'] });
    // Single use: the same code again (the same person or another) makes nothing.
    expect(await failure(admin.accept(me, invite.token))).toBe('STAFF_INVITE_USED');
    expect(await failure(admin.accept(user(), invite.token))).toBe('STAFF_INVITE_USED');
    expect((await admin.preview(invite.token)).status).toBe('accepted');
    const listed = (await admin.invites(hq)).find((row) => row.id === invite.id)!;
    expect(listed).toMatchObject({ status: 'accepted', acceptedStaffId: accepted.staffId });
    expect(listed).not.toHaveProperty('token');
    const audit = await t.app.get(AuditService).page({ limit: 50, action: 'staff.invite.accept' });
    expect(audit.entries.map((e) => [e.staffOpenid, e.target, e.outcome])).toContainEqual([me.openid, String(invite.id), 'ok']);
  });

  it('someone who is staff already is refused and the invite stays usable for the right person', async () => {
    const invite = await admin.createInvite(hq, { role: 'clerk', stores: ['S001'] });
    expect(await failure(admin.accept({ memberId: 1, openid: 'o-sa-lin' }, invite.token))).toBe('STAFF_ALREADY_STAFF');
    expect((await admin.preview(invite.token)).status).toBe('pending');
    const me = user();
    expect((await admin.accept(me, invite.token)).role).toBe('clerk');
  });

  it('expires after staffInvites.inviteSeconds', async () => {
    const invite = await admin.createInvite(hq, { role: 'clerk', stores: ['S001'] });
    t.clock.advance(t.config.staffInvites.inviteSeconds - 1);
    expect((await admin.preview(invite.token)).status).toBe('pending');
    t.clock.advance(1);
    expect((await admin.preview(invite.token)).status).toBe('expired');
    const me = user();
    expect(await failure(admin.accept(me, invite.token))).toBe('STAFF_INVITE_EXPIRED');
    expect(await staff.accountOf(me.openid)).toBeNull();
    expect(await failure(admin.revokeInvite(hq, invite.id))).toBe('STAFF_INVITE_EXPIRED');
  });

  it('a revoked invite stops working at once; an accepted one cannot be revoked', async () => {
    const invite = await admin.createInvite(manager, { role: 'clerk', stores: ['S001'] });
    expect((await admin.revokeInvite(manager, invite.id)).status).toBe('revoked');
    expect(await failure(admin.accept(user(), invite.token))).toBe('STAFF_INVITE_REVOKED');
    expect(await failure(admin.revokeInvite(hq, invite.id))).toBe('STAFF_INVITE_REVOKED');
    const used = await admin.createInvite(hq, { role: 'clerk', stores: ['S001'] });
    await admin.accept(user(), used.token);
    expect(await failure(admin.revokeInvite(hq, used.id))).toBe('STAFF_INVITE_USED');
    expect(await failure(admin.accept(user(), 'x'.repeat(24)))).toBe('STAFF_INVITE_NOT_FOUND');
  });

  it('accepted by many at once: one account; one user accepting two invites at once: one account', async () => {
    const invite = await admin.createInvite(hq, { role: 'clerk', stores: ['S001'] });
    const people = Array.from({ length: 8 }, user);
    const results = await Promise.allSettled(people.map((p) => admin.accept(p, invite.token)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []))).toEqual(Array(7).fill('STAFF_INVITE_USED'));
    const accounts = (await Promise.all(people.map((p) => staff.accountOf(p.openid)))).filter(Boolean);
    expect(accounts).toHaveLength(1);

    const me = user();
    const two = [
      await admin.createInvite(hq, { role: 'clerk', stores: ['S001'] }),
      await admin.createInvite(hq, { role: 'clerk', stores: ['S002'] }),
    ];
    const both = await Promise.allSettled(two.map((i) => admin.accept(me, i.token)));
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(both.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []))).toEqual(['STAFF_ALREADY_STAFF']);
    const rows = (await t.db.dataSource.query('SELECT COUNT(*) AS n FROM staff_member WHERE openid = ?', [me.openid])) as Array<{
      n: number | string;
    }>;
    expect(Number(rows[0].n)).toBe(1);
    // The invite that lost is still pending: nobody used it.
    expect((await Promise.all(two.map((i) => admin.preview(i.token)))).map((p) => p.status).sort()).toEqual(['accepted', 'pending']);
  });

  it('an invite lends its maker’s authority as it stands when accepted: a maker disabled since has none', async () => {
    await staff.bind('o-sa-leaving', 'store_manager', '离职店长', ['S001']);
    const leaving = await account('o-sa-leaving');
    const invite = await admin.createInvite(leaving, { role: 'clerk', stores: ['S001'] });
    await admin.setDisabled(hq, leaving.id, true);
    const accomplice = user();
    expect(await failure(admin.accept(accomplice, invite.token))).toBe('STAFF_INVITE_REVOKED');
    expect(await staff.accountOf(accomplice.openid)).toBeNull();
    // Enabled again, the same invite works.
    await admin.setDisabled(hq, leaving.id, false);
    expect(await admin.accept(accomplice, invite.token)).toMatchObject({ role: 'clerk', stores: ['S001'] });
  });

  it('a store manager invites and manages clerks of their own stores only', async () => {
    expect(await failure(admin.createInvite(manager, { role: 'store_manager', stores: ['S001'] }))).toBe('STAFF_MANAGE_REFUSED');
    expect(await failure(admin.createInvite(manager, { role: 'clerk', stores: ['S002'] }))).toBe('STAFF_MANAGE_REFUSED');
    expect(await failure(admin.createInvite(manager, { role: 'admin', stores: [] }))).toBe('STAFF_MANAGE_REFUSED');
    expect(await failure(admin.createInvite(hq, { role: 'clerk', stores: [] }))).toBe('STORE_REQUIRED');
    expect(await failure(admin.createInvite(hq, { role: 'clerk', stores: ['S999'] }))).toBe('STORE_UNKNOWN');

    const mine = user();
    const theirs = user();
    await admin.accept(mine, (await admin.createInvite(manager, { role: 'clerk', stores: ['S001'] })).token);
    await admin.accept(theirs, (await admin.createInvite(hq, { role: 'clerk', stores: ['S002'] })).token);
    const clerk = await account(mine.openid);
    const other = await account(theirs.openid);

    // The manager's list: their store's people only; HQ sees everyone.
    const seen = (await admin.list(manager)).map((s) => s.openid);
    expect(seen).toContain(mine.openid);
    expect(seen).not.toContain(theirs.openid);
    expect((await admin.list(hq)).map((s) => s.openid)).toEqual(expect.arrayContaining([mine.openid, theirs.openid]));

    expect(await failure(admin.change(manager, clerk.id, { role: 'store_manager', stores: ['S001'] }))).toBe('STAFF_MANAGE_REFUSED');
    expect(await failure(admin.change(manager, clerk.id, { role: 'clerk', stores: ['S001', 'S002'] }))).toBe('STAFF_MANAGE_REFUSED');
    expect(await failure(admin.change(manager, other.id, { role: 'clerk', stores: ['S001'] }))).toBe('STAFF_NOT_FOUND');
    expect(await failure(admin.setDisabled(manager, manager.id, true))).toBe('STAFF_SELF_CHANGE');
    expect(await failure(admin.setDisabled(manager, hq.id, true))).toBe('STAFF_NOT_FOUND');

    // Disabled: no longer staff at once (StaffGuard reads accountOf), listed as 停用, enabled again keeps the stores.
    expect((await admin.setDisabled(manager, clerk.id, true)).disabled).toBe(true);
    expect(await staff.accountOf(mine.openid)).toBeNull();
    expect((await admin.stores(manager)).map((s) => [s.code, s.staffCount])).toEqual([['S001', expect.any(Number)]]);
    expect((await admin.setDisabled(manager, clerk.id, false)).disabled).toBe(false);
    expect(await account(mine.openid)).toMatchObject({ role: 'clerk', stores: ['S001'] });

    // HQ promotes the clerk; now a peer of the manager, out of the manager's reach.
    expect(await admin.change(hq, clerk.id, { role: 'store_manager', stores: ['S001'] })).toMatchObject({
      role: 'store_manager',
      stores: ['S001'],
    });
    expect(await failure(admin.setDisabled(manager, clerk.id, true))).toBe('STAFF_MANAGE_REFUSED');
  });

  it('accounts from config stay config’s: listed, not changed; a disabled invite account can be invited back', async () => {
    await staff.syncFromConfig([{ openid: 'o-sa-config', role: 'clerk', name: '配置店员', stores: ['S001'] }]);
    const fromConfig = await account('o-sa-config');
    expect((await admin.list(hq)).find((s) => s.id === fromConfig.id)).toMatchObject({ source: 'config', disabled: false });
    expect(await failure(admin.setDisabled(hq, fromConfig.id, true))).toBe('STAFF_FROM_CONFIG');
    expect(await failure(admin.change(hq, fromConfig.id, { role: 'admin', stores: [] }))).toBe('STAFF_FROM_CONFIG');

    const me = user();
    const first = await admin.accept(me, (await admin.createInvite(hq, { role: 'clerk', stores: ['S001'] })).token);
    await admin.setDisabled(hq, first.staffId, true);
    const back = await admin.accept(me, (await admin.createInvite(hq, { role: 'clerk', stores: ['S003'] })).token);
    expect(back.staffId).toBe(first.staffId);
    expect(await account(me.openid)).toMatchObject({ stores: ['S003'] });
  });

  it('lists stores with their staff counts; HQ closes and reopens one', async () => {
    const before = await admin.stores(hq);
    expect(before.map((s) => s.code)).toEqual(['S001', 'S002', 'S003']);
    const s1 = before.find((s) => s.code === 'S001')!;
    const enabledAtS1 = (await staff.list()).filter((s) => s.disabledAt === null && s.stores.includes('S001')).length;
    expect(s1.staffCount).toBe(enabledAtS1);
    expect((await admin.setStoreStatus('S003', 'closed')).status).toBe('closed');
    expect(await failure(admin.createInvite(hq, { role: 'clerk', stores: ['S003'] }))).toBe('STORE_UNKNOWN');
    expect((await admin.setStoreStatus('S003', 'active')).status).toBe('active');
    expect(await failure(admin.setStoreStatus('S404', 'closed'))).toBe('STORE_UNKNOWN');
  });

  // Last: its hundred stores would be in every store list after it.
  it('an invite may name 100 stores (a regional manager), not only what 400 characters of codes hold', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ code: `R-${String(i).padStart(5, '0')}`, name: `区域门店${i}` }));
    await t.app.get(StoresService).syncFromConfig(many);
    const invite = await admin.createInvite(hq, { role: 'store_manager', stores: many.map((s) => s.code), name: '区域经理' });
    expect(invite.stores).toHaveLength(100);
    const me = user();
    const accepted = await admin.accept(me, invite.token);
    expect(accepted.stores).toHaveLength(100);
    expect((await account(me.openid)).stores).toHaveLength(100);
  });
});
