import { TestApi } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';
import { emulatorCaller } from '../support/polling';

const POLICY = '2026-11';

/**
 * Subscription messages across real processes: the member's WeChat (the emulator's subscribe sheet), the app's
 * report to the server, a purchase at the till, and the server's own background sender delivering to WeChat.
 */
describe('subscription messages end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let clerk: string;

  beforeAll(async () => {
    stack = await startStack({ database: 'mariadb', staff: [{ user: 'msg-till', role: 'clerk' }] });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    // Daytime in Shanghai whenever CI runs, so quiet hours (21:00-09:00) do not hold the message back.
    expect((await api.call('POST', '/test/clock', { body: { now: '2026-11-23T10:00:00+08:00' } })).status).toBe(200);
    clerk = (await api.login('msg-till')).token;
  });
  afterAll(() => stack?.stop());

  const emulator = emulatorCaller(() => stack.emulatorUrl);

  it('a member who accepted the points message gets it after a till purchase, with their own numbers', async () => {
    const me = await api.joinedMember('msg-shopper', '13600005555', POLICY);
    const preferences = await api.call('GET', '/messages/preferences', { token: me.token });
    expect(preferences.status).toBe(200);
    const points = preferences.body.kinds.find((k: any) => k.kind === 'points_change');
    expect(points).toMatchObject({ remaining: 0, enabled: true, title: '积分变动提醒' });

    // What the app does on the "notify me" tap: WeChat's sheet, then the result to the server.
    const { errMsg, ...results } = await emulator('/dev/subscribe', { user: 'msg-shopper', tmplIds: [points.templateId] });
    expect(errMsg).toBe('requestSubscribeMessage:ok');
    const report = { results, moment: 'notify_me', idempotencyKey: 'notify-me-000001' };
    const reported = await api.call('POST', '/messages/subscriptions', { token: me.token, body: report });
    expect(reported.status).toBe(200);
    expect(reported.body.kinds.find((k: any) => k.kind === 'points_change').remaining).toBe(1);
    expect(
      (await api.call('POST', '/messages/subscriptions', { token: me.token, body: report })).body.kinds.find(
        (k: any) => k.kind === 'points_change',
      ).remaining,
    ).toBe(1);

    const code = (await api.call('GET', '/members/me/code', { token: me.token })).body.code;
    const purchase = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 30_000, storeCode: 'S001', idempotencyKey: 'msg-purchase-0001' },
    });
    expect(purchase.status).toBe(200);
    const openid = stack.openidOf('msg-shopper');
    let inbox: any[] = [];
    for (let i = 0; i < 100 && inbox.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      inbox = (await emulator(`/dev/inbox?openid=${openid}&template_id=${points.templateId}`)).messages;
    }
    expect(inbox).toHaveLength(1);
    expect(inbox[0].data).toEqual({
      number1: { value: String(purchase.body.pointsEarned) },
      number2: { value: String(purchase.body.member.pointsBalance) },
      thing3: { value: '消费¥300.00获得积分' },
    });
    expect((await emulator(`/dev/quota?openid=${openid}&template_id=${points.templateId}`)).remaining).toBe(0);
    expect(
      (await api.call('GET', '/messages/preferences', { token: me.token })).body.kinds.find((k: any) => k.kind === 'points_change')
        .remaining,
    ).toBe(0);
  });

  it('refuses malformed reports and switches with 400, strangers with 401, and non-members with 403', async () => {
    const me = await api.joinedMember('msg-typo', '13600006666', POLICY);
    const template = (await api.call('GET', '/messages/preferences', { token: me.token })).body.kinds[0].templateId;
    const good = { results: { [template]: 'accept' }, moment: 'notify_me', idempotencyKey: 'typo-report-0001' };
    const bad = [
      { ...good, results: {} },
      { ...good, results: { a1234567: 'accept', b1234567: 'accept', c1234567: 'accept', d1234567: 'accept' } },
      { ...good, results: { [template]: 'yes' } },
      { ...good, moment: 'whenever' },
      { ...good, idempotencyKey: 'short' },
      { ...good, remaining: 99 },
      { results: good.results, moment: 'notify_me' },
    ];
    for (const body of bad) {
      const answer = await api.call('POST', '/messages/subscriptions', { token: me.token, body });
      expect({ body, status: answer.status, code: answer.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const foreign = await api.call('POST', '/messages/subscriptions', {
      token: me.token,
      body: { ...good, results: { 'not-our-template': 'accept' } },
    });
    expect([foreign.status, foreign.body.code, foreign.body.message]).toEqual([
      400,
      'MESSAGE_TEMPLATE_UNKNOWN',
      '订阅结果与本店的消息模板不符，请重试',
    ]);
    expect((await api.call('PUT', '/messages/preferences/birthday', { token: me.token, body: { enabled: 'no' } })).status).toBe(400);
    expect((await api.call('PUT', '/messages/preferences/newsletter', { token: me.token, body: { enabled: false } })).status).toBe(400);
    const off = await api.call('PUT', '/messages/preferences/birthday', { token: me.token, body: { enabled: false } });
    expect(off.body.kinds.find((k: any) => k.kind === 'birthday').enabled).toBe(false);
    expect(off.body.moments.birthday_set).toEqual([]);
    expect((await api.call('GET', '/messages/preferences', { token: me.token })).body.kinds.every((k: any) => k.remaining === 0)).toBe(
      true,
    );

    expect((await api.call('GET', '/messages/preferences')).status).toBe(401);
    const visitor = await api.login('msg-visitor');
    const notJoined = await api.call('GET', '/messages/preferences', { token: visitor.token });
    expect([notJoined.status, notJoined.body.code]).toEqual([403, 'MEMBER_NOT_JOINED']);
  });
});
