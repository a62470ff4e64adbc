import { TestApi } from '../support/api-client';
import { invariantsAfterEach } from '../support/invariants';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 18 over real HTTP: staff invites by QR code (a store manager invites a clerk of their own store; the
 * invitee, not staff yet, accepts with a member session and is staff on the next request; the code is single use
 * and audited), disabling an account, and runtime settings (HQ only, validated, versioned, taking effect).
 */
describe('stores, staff, invites and runtime settings end to end', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let hq: string;
  let manager: string;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'sa-hq', role: 'admin', name: '总部小张' },
        { user: 'sa-lin', role: 'store_manager', name: '林店长', stores: ['S001'] },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    hq = (await api.login('sa-hq')).token;
    manager = (await api.login('sa-lin')).token;
  });
  afterAll(() => stack?.stop());

  it('a manager invites a clerk; the invitee accepts once with a member session and is staff at once; disabling ends it', async () => {
    const refused = await api.call('POST', '/staff/admin/invites', { token: manager, body: { role: 'store_manager', stores: ['S001'] } });
    expect([refused.status, refused.body.code]).toEqual([403, 'STAFF_MANAGE_REFUSED']);
    const invalid = await api.call('POST', '/staff/admin/invites', { token: manager, body: { role: 'boss', stores: ['S001'] } });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'VALIDATION_FAILED']);

    const created = await api.call('POST', '/staff/admin/invites', {
      token: manager,
      body: { role: 'clerk', stores: ['S001'], name: '新店员' },
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;

    const invitee = await api.login('sa-newcomer');
    expect(invitee.staffRole).toBeNull();
    // Not staff yet: the staff routes refuse; the invite routes take the member session.
    expect((await api.call('GET', '/staff/me', { token: invitee.token })).status).toBe(403);
    const preview = await api.call('GET', `/staff-invites/${token}`, { token: invitee.token });
    expect(preview.body).toMatchObject({ role: 'clerk', stores: [{ code: 'S001' }], invitedBy: '林店长', status: 'pending' });
    expect((await api.call('GET', `/staff-invites/${token}`)).status).toBe(401);

    const [first, second] = await Promise.all([
      api.call('POST', `/staff-invites/${token}/accept`, { token: invitee.token }),
      api.call('POST', `/staff-invites/${token}/accept`, { token: invitee.token }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const me = await api.call('GET', '/staff/me', { token: invitee.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role: 'clerk' });
    // A clerk manages nobody.
    expect((await api.call('GET', '/staff/admin/staff', { token: invitee.token })).status).toBe(403);

    const listed = await api.call('GET', '/staff/admin/staff', { token: manager });
    const clerk = (listed.body as Array<{ id: number; name: string; source: string }>).find((s) => s.name === '新店员')!;
    expect(clerk.source).toBe('invite');
    const off = await api.call('POST', `/staff/admin/staff/${clerk.id}/disabled`, { token: manager, body: { disabled: true } });
    expect(off.body.disabled).toBe(true);
    expect((await api.call('GET', '/staff/me', { token: invitee.token })).status).toBe(403);

    const audit = await api.call('GET', '/admin/audit-log?limit=50', { token: hq });
    const actions = (audit.body.entries as Array<{ action: string; outcome: string }>).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'staff.invite.create:ok',
        'staff.invite.accept:ok',
        'staff.disable:ok',
        'staff.invite.create:STAFF_MANAGE_REFUSED',
      ]),
    );
    // The invite's token is a bearer secret: nowhere in the audit log.
    expect(JSON.stringify(audit.body)).not.toContain(token);
  });

  it('HQ changes a setting with a reason; it applies to the next case; managers may not', async () => {
    expect((await api.call('GET', '/staff/settings', { token: manager })).status).toBe(403);
    const current = await api.call('GET', '/staff/settings', { token: hq });
    const row = (current.body as Array<{ key: string; version: number }>).find((s) => s.key === 'feedback.firstResponseMinutes')!;
    const bad = await api.call('POST', '/staff/settings/feedback.firstResponseMinutes', {
      token: hq,
      body: { value: { store: 0, online: 30 }, reason: '测试', baseVersion: row.version },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'SETTING_INVALID']);
    const saved = await api.call('POST', '/staff/settings/feedback.firstResponseMinutes', {
      token: hq,
      body: { value: { store: 60, online: 12 }, reason: '线上响应提速', baseVersion: row.version },
    });
    expect(saved.body).toMatchObject({ version: row.version + 1, value: { store: 60, online: 12 }, changedBy: '总部小张' });

    const member = await api.joinedMember('sa-member', '13700006666', '2026-11');
    const raised = await api.call('POST', '/feedback', {
      token: member.token,
      body: { kind: 'feedback', category: 'service', text: '希望延长营业时间', idempotencyKey: `sa-${Date.now()}` },
    });
    expect(raised.status).toBe(200);
    expect(Date.parse(raised.body.dueAt) - Date.parse(raised.body.createdAt)).toBe(12 * 60_000);

    const history = await api.call('GET', '/staff/settings/feedback.firstResponseMinutes/versions', { token: hq });
    expect(history.body[0]).toMatchObject({ reason: '线上响应提速', changedBy: '总部小张' });
  });
});
