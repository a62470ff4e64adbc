import { TestApi } from '../support/api-client';
import { campaignBody, cashOffTemplateBody } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';
import { emulatorCaller } from '../support/polling';

const POLICY = '2026-11';

/** Campaigns over real HTTP: an admin sets one up and launches it; the server's own scheduler and sender do the rest. */
describe('campaigns end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let admin: string;
  let clerk: string;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'camp-boss', role: 'admin' },
        { user: 'camp-till', role: 'clerk' },
      ],
      env: { CAMPAIGN_SCHEDULER_EVERY_SECONDS: '1' },
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    // Daytime in Shanghai whenever CI runs, so quiet hours do not hold the message back.
    expect((await api.call('POST', '/test/clock', { body: { now: '2026-11-23T10:00:00+08:00' } })).status).toBe(200);
    admin = (await api.login('camp-boss')).token;
    clerk = (await api.login('camp-till')).token;
  });
  afterAll(() => stack?.stop());

  const emulator = emulatorCaller(() => stack.emulatorUrl);
  const campaign = (overrides: Record<string, unknown> = {}) => campaignBody({ filter: { lifecycleStatuses: ['new'] }, ...overrides });

  it('an admin launches a coupon-and-message campaign: the subscribed member gets both, the other only the coupon', async () => {
    const fan = await api.joinedMember('camp-fan', '13500001111', POLICY);
    const quiet = await api.joinedMember('camp-quiet', '13500002222', POLICY);
    const prefs = await api.call('GET', '/messages/preferences', { token: fan.token });
    const templateId = prefs.body.kinds.find((k: any) => k.kind === 'coupon_arrived').templateId;
    const { errMsg: _errMsg, ...results } = await emulator('/dev/subscribe', { user: 'camp-fan', tmplIds: [templateId] });
    expect(
      (
        await api.call('POST', '/messages/subscriptions', {
          token: fan.token,
          body: { results, moment: 'notify_me', idempotencyKey: 'camp-fan-report-1' },
        })
      ).status,
    ).toBe(200);
    const coupon = await api.call('POST', '/admin/coupon-templates', {
      token: admin,
      body: cashOffTemplateBody({
        name: '回归礼券',
        claimEndsAt: new Date(Date.now() - 60_000).toISOString(),
        claimStartsAt: new Date(Date.now() - 120_000).toISOString(),
      }),
    });
    expect(coupon.status).toBe(201);

    const created = await api.call('POST', '/admin/campaigns', {
      token: admin,
      body: campaign({ couponTemplateId: coupon.body.id, messageKind: 'coupon_arrived' }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', couponTemplateName: '回归礼券' });
    const launched = await api.call('POST', `/admin/campaigns/${created.body.id}/launch`, { token: admin });
    expect(launched.status).toBe(200);

    let report: any;
    for (let i = 0; i < 100; i++) {
      report = (await api.call('GET', `/admin/campaigns/${created.body.id}`, { token: admin })).body;
      if (report.runs[0]?.status === 'done' && report.runs[0].messages.queued === 0 && report.runs[0].messages.sent > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(report.runs[0]).toMatchObject({ status: 'done', couponsIssued: report.runs[0].targeted, messages: { sent: 1, queued: 0 } });
    expect(report.runs[0].targeted).toBeGreaterThanOrEqual(2);
    expect(report.status).toBe('ended');
    for (const member of [fan, quiet]) {
      const wallet = await api.call('GET', '/coupons/wallet?tab=usable', { token: member.token });
      expect(JSON.stringify(wallet.body)).toContain('回归礼券');
    }
    const inbox = (await emulator(`/dev/inbox?openid=${stack.openidOf('camp-fan')}`)).messages;
    expect(inbox).toHaveLength(1);
    expect(inbox[0].data.thing1.value).toBe('回归礼券');
    expect((await emulator(`/dev/inbox?openid=${stack.openidOf('camp-quiet')}`)).messages).toHaveLength(0);
  });

  it('refuses bad campaigns with 400, clerks with 403, and strangers with 401', async () => {
    const bad = [
      campaign({ name: '' }),
      campaign({ schedule: 'at' }),
      campaign({ schedule: 'reactivation', dormantDays: 0 }),
      campaign({ dormantDays: 30 }),
      campaign({ holdoutPermille: 900 }),
      campaign({ points: -1 }),
      campaign({ filter: { tiers: ['platinum'] } }),
      campaign({ messageKind: 'newsletter' }),
      campaign({ idempotencyKey: 'x' }),
      campaign({ extra: true }),
    ];
    for (const body of bad) {
      const answer = await api.call('POST', '/admin/campaigns', { token: admin, body });
      expect({ body, status: answer.status, code: answer.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const empty = await api.call('POST', '/admin/campaigns', { token: admin, body: campaign({ idempotencyKey: 'campaign-empty-01' }) });
    expect([empty.status, empty.body.code, empty.body.message]).toEqual([
      400,
      'CAMPAIGN_EMPTY_OFFER',
      '请至少选择优惠券、积分或消息中的一项',
    ]);
    expect(
      (await api.call('POST', '/admin/campaigns', { token: clerk, body: campaign({ points: 10, idempotencyKey: 'campaign-clerk-01' }) }))
        .status,
    ).toBe(403);
    expect((await api.call('GET', '/admin/campaigns')).status).toBe(401);
    expect((await api.call('GET', '/admin/campaigns/abc', { token: admin })).status).toBe(400);
    expect((await api.call('POST', '/admin/campaigns/999999/launch', { token: admin })).body.code).toBe('CAMPAIGN_NOT_FOUND');
  });
});
