import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { invariantsAfterEach } from '../support/invariants';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';
const key = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 12)}`;

/**
 * Issue 18, the console's member pages over real HTTP: who may search and open members and do what (403 for the
 * others), and the audit rows every look-up, view and action leaves — refusals included.
 */
describe('console member pages: roles and audit over HTTP', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let clerk: string;
  let manager: string;
  let manager2: string;
  let hq: string;
  let shopper: { token: string; memberId: number };
  let stranger: { token: string; memberId: number };

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'cm-clerk', role: 'clerk', stores: ['S001'] },
        { user: 'cm-manager', role: 'store_manager', stores: ['S001'] },
        { user: 'cm-manager-2', role: 'store_manager', stores: ['S002'] },
        { user: 'cm-hq', role: 'admin' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    clerk = (await api.login('cm-clerk')).token;
    manager = (await api.login('cm-manager')).token;
    manager2 = (await api.login('cm-manager-2')).token;
    hq = (await api.login('cm-hq')).token;
    shopper = await api.joinedMember('cm-shopper', '13912348888', POLICY);
    stranger = await api.joinedMember('cm-stranger', '13912358888', POLICY);
    // The shopper buys at S001: a member of cm-manager's store, not of cm-manager-2's.
    const code = (await api.call('GET', '/members/me/code', { token: shopper.token })).body.code as string;
    const bought = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 8800, storeCode: 'S001', idempotencyKey: key('cm-buy') },
    });
    expect(bought.status).toBe(200);
  });
  afterAll(() => stack?.stop());

  const auditOf = async (action: string) =>
    (await api.call('GET', `/admin/audit-log?limit=50&action=${action}`, { token: hq })).body.entries as Array<Record<string, unknown>>;

  it('search: HQ finds by last four digits and phone, a manager only their members, a clerk is refused (403)', async () => {
    const byLast4 = await api.call('GET', '/staff/console/members?q=8888', { token: hq });
    expect(byLast4.status).toBe(200);
    expect(byLast4.body.mode).toBe('last4');
    expect(byLast4.body.rows.map((r: { id: number }) => r.id).sort()).toEqual([shopper.memberId, stranger.memberId].sort());
    expect(byLast4.body.rows[0].phoneMasked).toMatch(/^139\*{4}8888$/);
    expect((await api.call('GET', '/staff/console/members?q=13912348888', { token: hq })).body.rows).toMatchObject([
      { id: shopper.memberId },
    ]);
    expect((await api.call('GET', '/staff/console/members?q=8888', { token: manager })).body.rows.map((r: { id: number }) => r.id)).toEqual(
      [shopper.memberId],
    );
    expect((await api.call('GET', '/staff/console/members?q=8888', { token: manager2 })).body.rows).toEqual([]);

    const refused = await api.call('GET', '/staff/console/members?q=8888', { token: clerk });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await api.call('GET', '/staff/console/members?q=%25', { token: hq })).status).toBe(200);
    expect((await api.call('GET', '/staff/console/members?q=', { token: hq })).status).toBe(400);

    // Every search is audited by mode, never with the term (it may be a phone number).
    const searches = await auditOf('member.search');
    expect(searches.filter((e) => e.target === 'last4').length).toBeGreaterThanOrEqual(3);
    expect(searches.some((e) => e.target === 'phone')).toBe(true);
    expect(JSON.stringify(searches)).not.toContain('13912348888');
  });

  it('detail: a manager opens their member, not another store’s (403); a clerk opens none; views are audited', async () => {
    const own = await api.call('GET', `/staff/console/members/${shopper.memberId}`, { token: manager });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: shopper.memberId, stores: ['S001'], actions: ['give_coupon'], phoneMasked: '139****8888' });
    expect(JSON.stringify(own.body)).not.toContain('13912348888');
    const other = await api.call('GET', `/staff/console/members/${stranger.memberId}`, { token: manager });
    expect([other.status, other.body.code]).toEqual([403, 'MEMBER_NOT_YOURS']);
    for (const tab of ['', '/purchases', '/points', '/coupons', '/messages', '/feedback', '/audit'])
      expect((await api.call('GET', `/staff/console/members/${shopper.memberId}${tab}`, { token: clerk })).status).toBe(403);
    const purchases = await api.call('GET', `/staff/console/members/${shopper.memberId}/purchases`, { token: manager });
    expect(purchases.body.orders).toHaveLength(1);
    const views = await auditOf('member.console_view');
    expect(views).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ memberId: shopper.memberId, outcome: 'ok', role: 'store_manager' }),
        expect.objectContaining({ memberId: stranger.memberId, outcome: 'MEMBER_NOT_YOURS' }),
      ]),
    );
  });

  it('actions: HQ reveals the phone and adjusts points once per key; a manager may not (403) but gives a coupon; all audited', async () => {
    const reveal = await api.call('POST', `/staff/console/members/${shopper.memberId}/phone-reveal`, { token: hq });
    expect(reveal.body).toEqual({ memberId: shopper.memberId, phone: '13912348888' });
    const managerReveal = await api.call('POST', `/staff/console/members/${shopper.memberId}/phone-reveal`, { token: manager });
    expect([managerReveal.status, managerReveal.body.code]).toEqual([403, 'FORBIDDEN']);
    const reveals = await auditOf('member.phone_reveal');
    expect(reveals.map((e) => [e.role, e.memberId, e.outcome])).toEqual(
      expect.arrayContaining([
        ['admin', shopper.memberId, 'ok'],
        ['store_manager', shopper.memberId, 'FORBIDDEN'],
      ]),
    );

    const adjustment = { points: 250, reason: '活动补录积分', idempotencyKey: key('cm-adj') };
    const path = `/staff/console/members/${shopper.memberId}/points-adjustments`;
    const answers = await Promise.all([1, 2, 3].map(() => api.call('POST', path, { token: hq, body: adjustment })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const points = await api.call('GET', `/staff/console/members/${shopper.memberId}/points`, { token: hq });
    expect(points.body.lines.filter((l: { reason: string }) => l.reason === 'adjust')).toHaveLength(1);
    expect((await api.call('POST', path, { token: manager, body: { ...adjustment, idempotencyKey: key('cm-adj') } })).status).toBe(403);
    expect(
      (await auditOf('points.adjust')).filter((e) => e.memberId === shopper.memberId && e.outcome === 'ok' && e.points === 250).length,
    ).toBe(3);

    const template = await api.call('POST', '/admin/coupon-templates', {
      token: hq,
      body: cashOffTemplateBody({
        name: '店长关怀券',
        terms: { ...(cashOffTemplateBody().terms as object), valueFen: 1000, thresholdFen: 5000 },
      }),
    });
    expect(template.status).toBe(201);
    const options = await api.call('GET', `/staff/console/members/${shopper.memberId}/coupon-options`, { token: manager });
    expect(options.body.coupons.map((c: { templateId: number }) => c.templateId)).toContain(template.body.id);
    const gift = { templateId: template.body.id, reason: '老顾客关怀', idempotencyKey: key('cm-gift') };
    const given = await api.call('POST', `/staff/console/members/${shopper.memberId}/coupons`, { token: manager, body: gift });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ memberId: shopper.memberId, couponName: '店长关怀券', faceFen: 1000 });
    const again = await api.call('POST', `/staff/console/members/${shopper.memberId}/coupons`, { token: manager, body: gift });
    expect(again.body.couponId).toBe(given.body.couponId);
    const wallet = await api.call('GET', `/staff/console/members/${shopper.memberId}/coupons?tab=usable`, { token: manager });
    expect(wallet.body.coupons).toHaveLength(1);
    expect(wallet.body.coupons[0].code).toBeUndefined();
    const elsewhere = await api.call('POST', `/staff/console/members/${stranger.memberId}/coupons`, {
      token: manager,
      body: { ...gift, idempotencyKey: key('cm-gift') },
    });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'MEMBER_NOT_YOURS']);
    expect((await api.call('POST', `/staff/console/members/${shopper.memberId}/coupons`, { token: clerk, body: gift })).status).toBe(403);

    const gifts = await auditOf('member.give_coupon');
    expect(gifts.filter((e) => e.memberId === shopper.memberId && e.outcome === 'ok')).toEqual([
      expect.objectContaining({ role: 'store_manager', amountFen: 1000, target: String(given.body.couponId) }),
      expect.objectContaining({ role: 'store_manager', amountFen: 1000, target: String(given.body.couponId) }),
    ]);
    expect(gifts.some((e) => e.memberId === stranger.memberId && e.outcome === 'MEMBER_NOT_YOURS')).toBe(true);
    expect(gifts.some((e) => e.role === 'clerk' && e.outcome === 'FORBIDDEN')).toBe(true);

    // The member's 操作记录 shows these actions, newest first.
    const trail = await api.call('GET', `/staff/console/members/${shopper.memberId}/audit`, { token: hq });
    const actions = trail.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['member.give_coupon', 'points.adjust', 'member.phone_reveal', 'member.console_view']));
  });
});
