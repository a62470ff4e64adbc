import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { invariantsAfterEach } from '../support/invariants';
import { startStack, type Stack } from '../support/stack';
import { emulatorCaller, until } from '../support/polling';

const POLICY = '2026-11';

/**
 * Issue 16 over real HTTP (server on MariaDB, the emulator playing WeChat Pay): the member's unpaid order is found
 * again (GET /pay/orders/pending), resumed with fresh payment parameters, and cancelled; the pairs that race a
 * cancel (a second cancel, the payment itself) give the coupon back once and never both pay and release;
 * 我的订单 (GET /my-orders) pages app and till orders with their refunds, and its input is validated.
 */
describe('unpaid orders and 我的订单 end to end', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let clerk: string;
  let templateId: number;

  const emulator = emulatorCaller(() => stack.emulatorUrl);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'orders-boss', role: 'admin' },
        { user: 'orders-till', role: 'clerk' },
      ],
      pay: { notifyRetryScale: 0.001, refundSettleMs: 100 },
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('orders-boss')).token;
    clerk = (await api.login('orders-till')).token;
    templateId = (await api.call('POST', '/admin/coupon-templates', { token: admin, body: cashOffTemplateBody() })).body.id;
  });
  afterAll(() => stack?.stop());

  async function shopper(user: string, phone: string): Promise<{ token: string; couponId: number }> {
    const member = await api.joinedMember(user, phone, POLICY);
    const coupon = await api.call('POST', `/coupons/templates/${templateId}/claim`, {
      token: member.token,
      body: { idempotencyKey: `claim-${user}` },
    });
    expect(coupon.status).toBe(200);
    return { token: member.token, couponId: coupon.body.id };
  }

  const checkout = (token: string, couponId: number, key: string) =>
    api.call('POST', '/pay/orders', { token, body: { amountFen: 30000, storeCode: 'S001', couponId, idempotencyKey: key } });
  const couponTab = async (token: string, couponId: number): Promise<string | undefined> => {
    for (const tab of ['usable', 'held', 'used'] as const) {
      const ids = (await api.call('GET', `/coupons/wallet?tab=${tab}`, { token })).body.coupons.map((c: { id: number }) => c.id);
      if (ids.includes(couponId)) return tab;
    }
    return undefined;
  };

  it('finds the unpaid order again, resumes it, and a double cancel releases the coupon once', async () => {
    const me = await shopper('orders-ann', '13800002222');
    expect((await api.call('GET', '/pay/orders/pending', { token: me.token })).body).toEqual({ order: null });
    const created = await checkout(me.token, me.couponId, 'orders-ann-1');
    expect(created.status).toBe(200);
    const no = created.body.order.outTradeNo;
    expect(await emulator('/dev/pay/request-payment', { user: 'orders-ann', ...created.body.payment, decision: 'cancel' })).toEqual({
      errMsg: 'requestPayment:fail cancel',
    });

    const pending = await api.call('GET', '/pay/orders/pending', { token: me.token });
    expect(pending.body.order).toMatchObject({ outTradeNo: no, status: 'pending', couponId: me.couponId, payableFen: 28000 });
    expect(await couponTab(me.token, me.couponId)).toBe('held');
    expect((await api.call('GET', `/coupons/${me.couponId}`, { token: me.token })).body).toMatchObject({
      status: 'held',
      redeemedAt: null,
    });

    const resumed = await api.call('POST', `/pay/orders/${no}/resume`, { token: me.token });
    expect(resumed.status).toBe(200);
    expect(resumed.body.payment.package).toBe(created.body.payment.package);

    const [a, b] = await Promise.all([
      api.call('POST', `/pay/orders/${no}/cancel`, { token: me.token }),
      api.call('POST', `/pay/orders/${no}/cancel`, { token: me.token }),
    ]);
    expect([a.body.status, b.body.status]).toEqual(['closed', 'closed']);
    expect(await couponTab(me.token, me.couponId)).toBe('usable');
    expect((await api.call('GET', '/pay/orders/pending', { token: me.token })).body).toEqual({ order: null });
    // Closed: resuming answers no payment; the cashier refuses the old parameters only once WeChat closed it too.
    expect((await api.call('POST', `/pay/orders/${no}/resume`, { token: me.token })).body.payment).toBeNull();
    // Not the member's: not found, whatever the action.
    const other = await api.joinedMember('orders-bob', '13800003333', POLICY);
    for (const [method, path] of [
      ['POST', `/pay/orders/${no}/resume`],
      ['POST', `/pay/orders/${no}/cancel`],
      ['GET', `/my-orders/A${no}`],
    ] as const) {
      const answer = await api.call(method, path, { token: other.token });
      expect([answer.status, answer.body.code]).toEqual([404, 'PAY_ORDER_NOT_FOUND']);
    }
  });

  it('a cancel racing the payment: paid (nothing released) or closed (released once), never both', async () => {
    const me = await shopper('orders-cai', '13800004444');
    const created = await checkout(me.token, me.couponId, 'orders-cai-1');
    const no = created.body.order.outTradeNo;
    await Promise.all([
      emulator('/dev/pay/request-payment', { user: 'orders-cai', ...created.body.payment }),
      api.call('POST', `/pay/orders/${no}/cancel`, { token: me.token }),
    ]);
    const order = await until('the order settled', async () => {
      const answer = await api.call('GET', `/my-orders/A${no}`, { token: me.token });
      return answer.body.status !== 'pending' && answer.body;
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // a late notification for a closed order lands meanwhile
    const tab = await couponTab(me.token, me.couponId);
    if (order.status === 'paid') expect(tab).toBe('used');
    else expect(tab).toBe('usable');
  });

  it('pages 我的订单 across app orders and till purchases with refunds, and validates its input', async () => {
    const me = await shopper('orders-dai', '13800005555');
    const code = (await api.call('GET', '/members/me/code', { token: me.token })).body.code;
    const till = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 12000, storeCode: 'S001', idempotencyKey: 'till-dai' },
    });
    expect(till.status).toBe(200);
    expect(
      (
        await api.call('POST', `/staff/purchases/${till.body.id}/refunds`, {
          token: clerk,
          body: { amountFen: 2000, refundNo: 'R-dai-0001' },
        })
      ).status,
    ).toBe(200);
    const created = await checkout(me.token, me.couponId, 'orders-dai-1');
    expect(created.status).toBe(200);

    const first = await api.call('GET', '/my-orders', { token: me.token });
    expect(first.status).toBe(200);
    expect(first.body.orders.map((o: { kind: string; status: string }) => [o.kind, o.status])).toEqual([
      ['app', 'pending'],
      ['in-store', 'paid'],
    ]);
    expect(first.body.orders[1]).toMatchObject({
      ref: `S${till.body.id}`,
      grossFen: 12000,
      refundedFen: 2000,
      refunds: [{ amountFen: 2000, status: 'succeeded' }],
    });
    expect(first.body.nextCursor).toBeNull();

    for (const query of ['?cursor=nope', '?cursor=1.X.1', '?page=2']) {
      const bad = await api.call('GET', `/my-orders${query}`, { token: me.token });
      expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await api.call('GET', '/my-orders/X1', { token: me.token })).status).toBe(400);
    expect((await api.call('GET', '/my-orders')).status).toBe(401);
    await api.call('POST', `/pay/orders/${created.body.order.outTradeNo}/cancel`, { token: me.token });
  });
});
