import { createPool, type Pool } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';
import { emulatorCaller, until } from '../support/polling';
import { emulatorDev } from '../../server/src/testing/emulator-dev';

const POLICY = '2026-11';

/**
 * Issue 14 over real HTTP on MariaDB, where two operations meet on one sale: one refund ceiling whatever the
 * route (defect 1), a redemption owned by its sale (defect 3), and requests resent at once (defect 4).
 */
describe('one sale, every route, end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let db: Pool;
  let clerk: string;
  let templateId: number;

  const emulator = emulatorCaller(() => stack.emulatorUrl);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'sale-boss', role: 'admin' },
        { user: 'sale-till', role: 'clerk' },
      ],
      pay: { notifyRetryScale: 0.001, refundSettleMs: 100 },
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    db = createPool({ uri: stack.databaseUrl!, connectionLimit: 2 });
    const admin = (await api.login('sale-boss')).token;
    clerk = (await api.login('sale-till')).token;
    templateId = (await api.call('POST', '/admin/coupon-templates', { token: admin, body: cashOffTemplateBody() })).body.id;
    // Amounts are what these tests are about: WeChat's minute between refunds of one order is waived.
    await emulator('/dev/pay/settings', { refundSpacingMs: 0 });
  });
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  async function shopper(user: string, phone: string): Promise<{ token: string; couponId: number; couponCode: string }> {
    const member = await api.joinedMember(user, phone, POLICY);
    const coupon = await api.call('POST', `/coupons/templates/${templateId}/claim`, {
      token: member.token,
      body: { idempotencyKey: `claim-${user}` },
    });
    expect(coupon.status).toBe(200);
    return { token: member.token, couponId: coupon.body.id, couponCode: coupon.body.code };
  }

  async function paidInApp(token: string, user: string, body: Record<string, unknown>): Promise<any> {
    const created = await api.call('POST', '/pay/orders', { token, body });
    expect(created.status).toBe(200);
    expect(await emulator('/dev/pay/request-payment', { user, ...created.body.payment })).toEqual({ errMsg: 'requestPayment:ok' });
    return until('paid', async () => {
      const answer = await api.call('GET', `/pay/orders/${created.body.order.outTradeNo}?confirm=1`, { token });
      return answer.body.order.status === 'paid' && answer.body.order;
    });
  }

  const redemptionOf = async (table: 'pay_order' | 'purchase', column: string, value: string | number): Promise<number> => {
    const [rows] = (await db.query(`SELECT redemption_id AS id FROM ${table} WHERE ${column} = ?`, [value])) as [
      Array<{ id: number }>,
      unknown,
    ];
    return Number(rows[0].id);
  };

  it('defect 1: ¥100 paid in the app is refunded once: the till refuses it; WeChat Pay refunds stay within it, even at once', async () => {
    const me = await shopper('sale-payer', '13800001111');
    const order = await paidInApp(me.token, 'sale-payer', { amountFen: 10_000, storeCode: 'S001', idempotencyKey: 'sale-pay-000001' });
    const no = order.outTradeNo;
    const purchaseId = order.purchase.id;
    expect(order.purchase.pointsEarned).toBeGreaterThan(0);

    // Both routes at once, several times each: the till refuses every one; WeChat Pay admits one full refund.
    const till = Array.from({ length: 4 }, (_, i) =>
      api.call('POST', `/staff/purchases/${purchaseId}/refunds`, {
        token: clerk,
        body: { amountFen: 10_000, refundNo: `sale-till-refund-${i}` },
      }),
    );
    const wechat = Array.from({ length: 4 }, (_, i) =>
      api.call('POST', `/staff/pay/orders/${no}/refunds`, { token: clerk, body: { amountFen: 10_000, outRefundNo: `R${no}W${i}` } }),
    );
    const [tillAnswers, wechatAnswers] = await Promise.all([Promise.all(till), Promise.all(wechat)]);
    for (const answer of tillAnswers)
      expect([answer.status, answer.body.code, answer.body.message]).toEqual([
        409,
        'REFUND_VIA_WECHAT_PAY',
        '该笔消费为微信支付，请在微信支付订单中退款',
      ]);
    expect(wechatAnswers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    expect(wechatAnswers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual([
      'REFUND_EXCEEDS_PAID',
      'REFUND_EXCEEDS_PAID',
      'REFUND_EXCEEDS_PAID',
    ]);

    const refunded = await until('refund settled', async () => {
      const view = (await api.call('GET', `/staff/pay/orders/${no}`, { token: clerk })).body;
      return view.refunds.every((r: any) => r.status === 'succeeded') && view;
    });
    expect(refunded).toMatchObject({ refundedFen: 10_000, refunds: [{ amountFen: 10_000, status: 'succeeded', flagReason: null }] });
    const atWechat = (await emulator(`/dev/pay/refunds?out_trade_no=${no}`)).refunds as any[];
    expect(atWechat.reduce((sum, r) => sum + r.amount.refund, 0)).toBe(10_000);
    const notifications = await emulatorDev(() => stack.emulatorUrl).answeredPayNotifications(
      `out_trade_no=${no}&event_type=REFUND.SUCCESS`,
    );
    expect(notifications.every((n) => n.delivered && n.attempts.every((a: any) => a.status === 204))).toBe(true);
    expect((await api.call('GET', '/members/me/card', { token: me.token })).body.pointsBalance).toBe(0);
    const late = await api.call('POST', `/staff/purchases/${purchaseId}/refunds`, {
      token: clerk,
      body: { amountFen: 1, refundNo: 'sale-till-refund-late' },
    });
    expect([late.status, late.body.code]).toEqual([409, 'REFUND_VIA_WECHAT_PAY']);
  });

  it('defect 3: a redemption held by a pending app order or a till purchase is undone only by the sale’s cancel or refund', async () => {
    const me = await shopper('sale-holder', '13800002222');
    const pending = await api.call('POST', '/pay/orders', {
      token: me.token,
      body: { amountFen: 30_000, storeCode: 'S001', couponId: me.couponId, idempotencyKey: 'sale-hold-000001' },
    });
    expect(pending.status).toBe(200);
    const heldByOrder = await redemptionOf('pay_order', 'out_trade_no', pending.body.order.outTradeNo);
    const refused = await api.call('POST', `/staff/coupons/redemptions/${heldByOrder}/reverse`, { token: clerk });
    expect([refused.status, refused.body.code, refused.body.message]).toEqual([
      409,
      'REDEMPTION_OWNED_BY_SALE',
      '该券随订单核销，请通过订单退款或取消来撤销',
    ]);
    // Held by the unpaid order: 已锁定 to the member (issue 16), not 已使用.
    expect(JSON.stringify((await api.call('GET', '/coupons/wallet?tab=held', { token: me.token })).body)).toContain(`"id":${me.couponId}`);
    expect(JSON.stringify((await api.call('GET', '/coupons/wallet?tab=used', { token: me.token })).body)).not.toContain(
      `"id":${me.couponId}`,
    );
    const cancelled = await api.call('POST', `/pay/orders/${pending.body.order.outTradeNo}/cancel`, { token: me.token });
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'closed']);
    expect(JSON.stringify((await api.call('GET', '/coupons/wallet?tab=usable', { token: me.token })).body)).toContain(
      `"id":${me.couponId}`,
    );

    // At the till: the purchase keeps its discount, so its coupon cannot be freed for a second one.
    const code = (await api.call('GET', '/members/me/code', { token: me.token })).body.code;
    const purchase = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 30_000, storeCode: 'S001', couponCode: me.couponCode, idempotencyKey: 'sale-till-hold-01' },
    });
    expect([purchase.status, purchase.body.couponDiscountFen]).toEqual([200, 2000]);
    const heldByPurchase = await redemptionOf('purchase', 'id', purchase.body.id);
    const again = await api.call('POST', `/staff/coupons/redemptions/${heldByPurchase}/reverse`, { token: clerk });
    expect([again.status, again.body.code]).toEqual([409, 'REDEMPTION_OWNED_BY_SALE']);
    const full = await api.call('POST', `/staff/purchases/${purchase.body.id}/refunds`, {
      token: clerk,
      body: { amountFen: 28_000, refundNo: 'sale-till-hold-refund' },
    });
    expect([full.status, full.body.couponRestored]).toEqual([200, true]);
    expect(JSON.stringify((await api.call('GET', '/coupons/wallet?tab=usable', { token: me.token })).body)).toContain(
      `"id":${me.couponId}`,
    );
  });

  it('defect 4: 20 identical app orders, till purchases/refunds, redemptions at once answer the first; a new payload: 409', async () => {
    const twenty = <T>(send: () => Promise<T>) => Promise.all(Array.from({ length: 20 }, send));

    // App order with coupon and points: the member has 1,000 points from a till purchase first.
    const me = await shopper('sale-retry', '13800003333');
    const code = async () => (await api.call('GET', '/members/me/code', { token: me.token })).body.code as string;
    const seed = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: await code(), amountFen: 100_000, storeCode: 'S001', idempotencyKey: 'sale-retry-seed-01' },
    });
    expect(seed.status).toBe(200);
    expect(seed.body.member.pointsBalance).toBeGreaterThanOrEqual(500);
    const checkout = {
      amountFen: 30_000,
      storeCode: 'S001',
      couponId: me.couponId,
      pointsToBurn: 500,
      idempotencyKey: 'sale-retry-pay-0001',
    };
    const orders = await twenty(() => api.call('POST', '/pay/orders', { token: me.token, body: checkout }));
    expect(orders.map((o) => [o.status, o.body.code ?? null])).toEqual(Array(20).fill([200, null]));
    expect(new Set(orders.map((o) => o.body.order.outTradeNo)).size).toBe(1);
    expect(orders.every((o) => o.body.payment !== null)).toBe(true);
    const otherOrder = await api.call('POST', '/pay/orders', { token: me.token, body: { ...checkout, amountFen: 30_001 } });
    expect([otherOrder.status, otherOrder.body.code, otherOrder.body.message]).toEqual([
      409,
      'IDEMPOTENCY_KEY_REUSED',
      '请求重复，请刷新后重试',
    ]);
    await api.call('POST', `/pay/orders/${orders[0].body.order.outTradeNo}/cancel`, { token: me.token });

    // Till purchase with the same coupon and points.
    const sale = {
      memberCode: await code(),
      amountFen: 30_000,
      storeCode: 'S001',
      couponCode: me.couponCode,
      pointsToBurn: 500,
      idempotencyKey: 'sale-retry-till-01',
    };
    const purchases = await twenty(() => api.call('POST', '/staff/purchases', { token: clerk, body: sale }));
    expect(purchases.map((p) => [p.status, p.body.code ?? null])).toEqual(Array(20).fill([200, null]));
    expect(new Set(purchases.map((p) => p.body.id)).size).toBe(1);
    const otherSale = await api.call('POST', '/staff/purchases', { token: clerk, body: { ...sale, pointsToBurn: 600 } });
    expect([otherSale.status, otherSale.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);

    // Till refund of all of it.
    const purchaseId = purchases[0].body.id;
    const refund = { amountFen: purchases[0].body.paidFen, refundNo: 'sale-retry-refund-01' };
    const refunds = await twenty(() => api.call('POST', `/staff/purchases/${purchaseId}/refunds`, { token: clerk, body: refund }));
    expect(refunds.map((r) => [r.status, r.body.code ?? null])).toEqual(Array(20).fill([200, null]));
    expect(new Set(refunds.map((r) => r.body.id)).size).toBe(1);
    const otherRefund = await api.call('POST', `/staff/purchases/${purchaseId}/refunds`, {
      token: clerk,
      body: { ...refund, amountFen: 1 },
    });
    expect([otherRefund.status, otherRefund.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);

    // A standalone redemption of the coupon the refund gave back.
    const redeem = { code: me.couponCode, orderAmountFen: 30_000, idempotencyKey: 'sale-retry-redeem-1' };
    const redemptions = await twenty(() => api.call('POST', '/staff/coupons/redeem', { token: clerk, body: redeem }));
    expect(redemptions.map((r) => [r.status, r.body.code ?? null])).toEqual(Array(20).fill([200, null]));
    expect(new Set(redemptions.map((r) => r.body.redemptionId)).size).toBe(1);
    const otherRedeem = await api.call('POST', '/staff/coupons/redeem', { token: clerk, body: { ...redeem, orderAmountFen: 25_000 } });
    expect([otherRedeem.status, otherRedeem.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);

    const [[counts]] = (await db.query(
      `SELECT (SELECT COUNT(*) FROM pay_order WHERE idempotency_key = 'sale-retry-pay-0001') AS orders,
              (SELECT COUNT(*) FROM purchase WHERE idempotency_key = 'sale-retry-till-01') AS purchases,
              (SELECT COUNT(*) FROM purchase_refund WHERE refund_no = 'sale-retry-refund-01') AS refunds,
              (SELECT COUNT(*) FROM coupon_redemption WHERE idempotency_key = 'sale-retry-redeem-1') AS redemptions`,
    )) as [Array<Record<string, number>>, unknown];
    expect(Object.values(counts).map(Number)).toEqual([1, 1, 1, 1]);
  });
});
