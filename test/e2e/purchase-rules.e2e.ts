import { createPool, type Pool } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { invariantsAfterEach } from '../support/invariants';
import { emulatorCaller, until } from '../support/polling';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';

const ruleBody = (name: string, channel: string, reward: Record<string, unknown>) => ({
  name,
  priority: 0,
  exclusive: false,
  conditions: {
    minPaidFen: 10_000,
    firstPurchase: false,
    tiers: [],
    stores: [],
    startsOn: null,
    endsOn: null,
    memberDayOnly: false,
    channel,
  },
  reward: { couponTemplateId: null, couponCount: 0, points: 0, multiplierPermille: null, ...reward },
  budget: { maxGrants: null, maxPoints: null, maxCoupons: 100 },
  takeBackOnRefund: true,
});

/**
 * Rewards fired by a purchase over real HTTP, with two server instances on one MariaDB database: WeChat Pay's
 * notification of one payment reaches both instances several times at once (WeChat retries; a load balancer
 * may send a retry to the other instance), and the rule still fires exactly once; the pay result and the till
 * show what the purchase earned; a full refund takes it back.
 */
describe('purchase rules end to end', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let admin: string;
  let clerk: string;
  let pool: Pool;
  let templateId: number;
  const emulator = emulatorCaller(() => stack.emulatorUrl);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'rules-boss', role: 'admin' },
        { user: 'rules-till', role: 'clerk' },
      ],
      pay: { notifyRetryScale: 0.001, refundSettleMs: 100 },
      extraInstances: 1,
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    pool = createPool({ uri: stack.databaseUrl!, connectionLimit: 2, timezone: 'Z' });
    admin = (await api.login('rules-boss')).token;
    clerk = (await api.login('rules-till')).token;
    templateId = (await api.call('POST', '/admin/coupon-templates', { token: admin, body: cashOffTemplateBody({ name: '支付有礼券' }) }))
      .body.id;
  });
  afterAll(async () => {
    await pool?.end();
    await stack?.stop();
  });

  const count = async (sql: string, params: unknown[]) => Number(((await pool.query(sql, params))[0] as Array<{ n: number }>)[0].n);

  it('one payment notified five times to two instances fires once; the pay result shows it; a full refund takes it back', async () => {
    const created = await api.call('POST', '/admin/purchase-rules', {
      token: admin,
      body: ruleBody('微信支付有礼', 'wechat-pay', { couponTemplateId: templateId, couponCount: 1, points: 50 }),
    });
    expect([created.status, created.body.status]).toEqual([201, 'draft']);
    const ruleId = created.body.id;
    const clerkTry = await api.call('POST', `/admin/purchase-rules/${ruleId}/status`, { token: clerk, body: { status: 'active' } });
    expect(clerkTry.status).toBe(403);
    expect((await api.call('POST', `/admin/purchase-rules/${ruleId}/status`, { token: admin, body: { status: 'active' } })).status).toBe(
      200,
    );

    const me = await api.joinedMember('rules-payer', '13711110001', POLICY);
    // The member allows both messages a reward may send (in WeChat's sheet, reported by the app).
    const prefs = await api.call('GET', '/messages/preferences', { token: me.token });
    const tmplIds = ['coupon_arrived', 'points_change'].map((kind) => prefs.body.kinds.find((k: any) => k.kind === kind).templateId);
    const { errMsg: _errMsg, ...results } = await emulator('/dev/subscribe', { user: 'rules-payer', tmplIds });
    const reported = await api.call('POST', '/messages/subscriptions', {
      token: me.token,
      body: { results, moment: 'notify_me', idempotencyKey: 'rules-payer-report-1' },
    });
    expect(reported.status).toBe(200);
    const order = await api.call('POST', '/pay/orders', {
      token: me.token,
      body: { amountFen: 12_000, storeCode: 'S001', idempotencyKey: 'rules-pay-0001' },
    });
    expect(order.status).toBe(200);
    const no = order.body.order.outTradeNo;
    await emulator('/dev/pay/settings', { notify: 'drop' });
    expect(await emulator('/dev/pay/request-payment', { user: 'rules-payer', ...order.body.payment })).toEqual({
      errMsg: 'requestPayment:ok',
    });
    const [notification] = (await emulator(`/dev/pay/notifications?out_trade_no=${no}&event_type=TRANSACTION.SUCCESS`)).notifications;
    await emulator('/dev/pay/settings', { notify: 'send' });
    // Three deliveries to the first instance (signed by the emulator) and, at the same time, two of the same
    // signed body to the second.
    const first = emulator('/dev/pay/notifications/resend', { id: notification.id });
    const signed = await first;
    const headers = (await emulator(`/dev/pay/notifications?out_trade_no=${no}&event_type=TRANSACTION.SUCCESS`)).notifications[0].headers;
    const toSecond = () =>
      fetch(`${stack.extraServerUrls[0]}/api/pay/notify/transaction`, { method: 'POST', headers, body: notification.body }).then(
        (r) => r.status,
      );
    const answers = await Promise.all([
      emulator('/dev/pay/notifications/resend', { id: notification.id }).then((a) => a.status),
      emulator('/dev/pay/notifications/resend', { id: notification.id }).then((a) => a.status),
      toSecond(),
      toSecond(),
    ]);
    expect([signed.status, ...answers].every((s) => s === 200 || s === 204)).toBe(true);

    const paid = await until('paid', async () => {
      const answer = await api.call('GET', `/pay/orders/${no}`, { token: me.token });
      return answer.body.order.status === 'paid' && answer.body.order;
    });
    expect(paid.purchase.rewards).toEqual([
      { ruleId, ruleName: '微信支付有礼', points: 50, couponNames: ['支付有礼券'], takenBack: false },
    ]);
    const purchaseId = paid.purchase.id;
    expect(await count('SELECT COUNT(*) AS n FROM purchase_rule_grant WHERE rule_id = ? AND purchase_id = ?', [ruleId, purchaseId])).toBe(
      1,
    );
    expect(
      await count('SELECT COUNT(*) AS n FROM purchase WHERE staff_openid = ? AND idempotency_key = ?', ['wechat-pay', `${no}`]),
    ).toBeLessThanOrEqual(1);
    expect(
      await count("SELECT COUNT(*) AS n FROM points_ledger WHERE source_key LIKE 'rule-grant:%' AND member_id = ?", [me.memberId]),
    ).toBe(1);
    // After commit, one message each (queued for the sender; quiet hours may hold it until morning).
    const outbox = (pattern: string) =>
      count('SELECT COUNT(*) AS n FROM message_outbox WHERE member_id = ? AND dedupe_key LIKE ?', [me.memberId, pattern]);
    await until('reward messages queued', async () => (await outbox('reward:%:coupon')) === 1 && (await outbox('points:reward:%')) === 1);
    const wallet = await api.call('GET', '/coupons/wallet?tab=usable', { token: me.token });
    expect(JSON.stringify(wallet.body).match(/支付有礼券/g)).toHaveLength(1);
    const report = await api.call('GET', `/admin/purchase-rules/${ruleId}/report`, { token: admin });
    expect(report.body).toMatchObject({ grants: 1, pointsGranted: 50, couponsGranted: 1, triggeringPaidFen: 12_000, costFen: 50 });

    // Refunded in full: the reward goes back (the points, and the unused coupon voided).
    const refund = await api.call('POST', `/staff/pay/orders/${no}/refunds`, {
      token: admin,
      body: { amountFen: 12_000, outRefundNo: `R${no}` },
    });
    expect(refund.status).toBe(200);
    const back = await until('taken back', async () => {
      const answer = await api.call('GET', `/pay/orders/${no}`, { token: me.token });
      return answer.body.order.purchase.rewards[0]?.takenBack && answer.body.order;
    });
    expect(back.purchase.rewards[0]).toMatchObject({ points: 50, takenBack: true });
    const usable = await api.call('GET', '/coupons/wallet?tab=usable', { token: me.token });
    expect(JSON.stringify(usable.body)).not.toContain('支付有礼券');
  });

  it('the till’s record-purchase answer shows what the purchase earned', async () => {
    const created = await api.call('POST', '/admin/purchase-rules', {
      token: admin,
      body: ruleBody('满100送积分', 'till', { points: 30 }),
    });
    await api.call('POST', `/admin/purchase-rules/${created.body.id}/status`, { token: admin, body: { status: 'active' } });
    const me = await api.joinedMember('rules-till-buyer', '13711110002', POLICY);
    const code = (await api.call('GET', '/members/me/code', { token: me.token })).body.code;
    const sale = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 15_000, storeCode: 'S001', idempotencyKey: 'rules-till-0001' },
    });
    expect(sale.status).toBe(200);
    expect(sale.body.rewards).toEqual([
      { ruleId: created.body.id, ruleName: '满100送积分', points: 30, couponNames: [], takenBack: false },
    ]);
    expect(sale.body.member.pointsBalance).toBe(150 + 30);
    const audit = await api.call('GET', '/admin/audit-log?action=purchase_rule.create', { token: admin });
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('purchase_rule.create');
  });
});
