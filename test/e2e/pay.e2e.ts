import { quoteCheckout } from '@member/shared';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';
import { emulatorCaller, until } from '../support/polling';

const POLICY = '2026-11';

/**
 * WeChat Pay over real HTTP between three processes: the server (MariaDB), the emulator playing WeChat Pay
 * (signed requests and answers, encrypted notifications) and this test playing the member's WeChat client.
 */
describe('WeChat Pay end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let admin: string;
  let clerk: string;
  let couponTemplateId: number;

  const emulator = emulatorCaller(() => stack.emulatorUrl);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'pay-boss', role: 'admin' },
        { user: 'pay-till', role: 'clerk' },
      ],
      pay: { notifyRetryScale: 0.001, refundSettleMs: 100 },
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    admin = (await api.login('pay-boss')).token;
    clerk = (await api.login('pay-till')).token;
    const template = await api.call('POST', '/admin/coupon-templates', { token: admin, body: cashOffTemplateBody() });
    couponTemplateId = template.body.id;
  });
  afterAll(() => stack?.stop());

  /** A member with a coupon and `points`, earned at the till (the points rules decide how much a purchase earns). */
  async function shopper(user: string, phone: string, tillFen: number): Promise<{ token: string; couponId: number; balance: number }> {
    const member = await api.joinedMember(user, phone, POLICY);
    const coupon = await api.call('POST', `/coupons/templates/${couponTemplateId}/claim`, {
      token: member.token,
      body: { idempotencyKey: `claim-${user}` },
    });
    expect(coupon.status).toBe(200);
    let balance = 0;
    if (tillFen > 0) {
      const code = (await api.call('GET', '/members/me/code', { token: member.token })).body.code;
      const till = await api.call('POST', '/staff/purchases', {
        token: clerk,
        body: { memberCode: code, amountFen: tillFen, storeCode: 'S001', idempotencyKey: `till-${user}` },
      });
      expect(till.status).toBe(200);
      balance = till.body.member.pointsBalance;
    }
    return { token: member.token, couponId: coupon.body.id, balance };
  }

  it('the member pays what the server computes with a coupon and points; the clerk refunds half; balances follow', async () => {
    const me = await shopper('pay-shopper', '13700001111', 100_000);
    expect(me.balance).toBeGreaterThanOrEqual(500);

    const checkout = await api.call('GET', '/pay/checkout?amountFen=30000&storeCode=S001', { token: me.token });
    expect(checkout.status).toBe(200);
    expect(checkout.body).toMatchObject({
      amountFen: 30000,
      storeCode: 'S001',
      storeName: '悦享旗舰店',
      pointsBalance: me.balance,
      tierName: '普通会员',
      memberPricePermille: 1000, // no member price below diamond (member-price-browser.e2e.ts has one)
    });
    const offered = checkout.body.coupons.find((c: any) => c.coupon.id === me.couponId);
    expect(offered).toMatchObject({ applicable: true, reasonText: null });
    // The app previews with the same function the server charges with.
    const preview = quoteCheckout({
      amountFen: 30000,
      memberPricePermille: checkout.body.memberPricePermille,
      coupon: offered.coupon.terms,
      pointsToBurn: 500,
      balance: me.balance,
      burnRule: checkout.body.burnRule,
    });
    expect(preview).toMatchObject({ ok: true, payableFen: 27500 });
    const below = await api.call('GET', '/pay/checkout?amountFen=15000&storeCode=S001', { token: me.token });
    expect(below.body.coupons.find((c: any) => c.coupon.id === me.couponId)).toMatchObject({
      applicable: false,
      reasonText: expect.stringContaining('门槛'),
    });

    const body = { amountFen: 30000, storeCode: 'S001', couponId: me.couponId, pointsToBurn: 500, idempotencyKey: 'pay-checkout-0001' };
    const created = await api.call('POST', '/pay/orders', { token: me.token, body });
    expect(created.status).toBe(200);
    expect(created.body.order).toMatchObject({ status: 'pending', payableFen: 27500, couponDiscountFen: 2000, pointsBurned: 500 });
    const resent = await api.call('POST', '/pay/orders', { token: me.token, body });
    expect(resent.body.order.outTradeNo).toBe(created.body.order.outTradeNo);
    const no = created.body.order.outTradeNo;
    expect((await emulator(`/dev/pay/orders?out_trade_no=${no}`)).orders[0]).toMatchObject({
      amount: { total: 27500 },
      trade_state: 'NOTPAY',
    });

    // A price the client makes up is refused before anything is held.
    const forged = await api.call('POST', '/pay/orders', {
      token: me.token,
      body: { ...body, idempotencyKey: 'pay-checkout-0002', payableFen: 1 },
    });
    expect([forged.status, forged.body.code]).toEqual([400, 'VALIDATION_FAILED']);

    expect(await emulator('/dev/pay/request-payment', { user: 'pay-shopper', ...created.body.payment })).toEqual({
      errMsg: 'requestPayment:ok',
    });
    const paid = await until('paid', async () => {
      const answer = await api.call('GET', `/pay/orders/${no}?confirm=1`, { token: me.token });
      return answer.body.order.status === 'paid' && answer.body.order;
    });
    expect(paid.purchase).toMatchObject({ paidFen: 27500, pointsBurned: 500 });
    const earned = paid.purchase.pointsEarned;
    expect(earned).toBeGreaterThan(0);
    const card = await api.call('GET', '/members/me/card', { token: me.token });
    expect(card.body.pointsBalance).toBe(me.balance - 500 + earned);
    const used = await api.call('GET', '/coupons/wallet?tab=used', { token: me.token });
    expect(JSON.stringify(used.body)).toContain(`"id":${me.couponId}`);

    // The clerk finds it and refunds half; the refund notification completes it.
    const list = await api.call('GET', '/staff/pay/orders', { token: clerk });
    expect(list.body.orders.map((o: any) => o.outTradeNo)).toContain(no);
    const refundBody = { amountFen: 13750, outRefundNo: `R${no}A` };
    const refund = await api.call('POST', `/staff/pay/orders/${no}/refunds`, { token: clerk, body: refundBody });
    expect(refund.status).toBe(200);
    const twice = await api.call('POST', `/staff/pay/orders/${no}/refunds`, { token: clerk, body: refundBody });
    expect(twice.body.refunds).toHaveLength(1);
    const refunded = await until('refund settled', async () => {
      const order = (await api.call('GET', `/staff/pay/orders/${no}`, { token: clerk })).body;
      return order.refunds[0].status === 'succeeded' && order;
    });
    expect(refunded).toMatchObject({
      refundedFen: 13750,
      refunds: [{ pointsClawed: Math.floor(earned / 2), pointsRestored: 250, couponRestored: false }],
    });
    expect((await api.call('GET', '/members/me/card', { token: me.token })).body.pointsBalance).toBe(
      me.balance - 500 + earned - Math.floor(earned / 2) + 250,
    );
    const tooMuch = await api.call('POST', `/staff/pay/orders/${no}/refunds`, {
      token: clerk,
      body: { amountFen: 13751, outRefundNo: `R${no}B` },
    });
    expect([tooMuch.status, tooMuch.body.code, tooMuch.body.message]).toEqual([409, 'REFUND_EXCEEDS_PAID', '退款金额不能超过实付金额']);
    expect((await emulator(`/dev/pay/refunds?out_trade_no=${no}`)).refunds).toHaveLength(1);
  });

  it('refuses malformed input with 400 and the wrong person with 401/403/404, and changes nothing', async () => {
    const me = await shopper('pay-typo', '13700002222', 0);
    const other = await api.joinedMember('pay-other', '13700003333', POLICY);
    const good = { amountFen: 30000, storeCode: 'S001', idempotencyKey: 'pay-typo-000001' };
    const bad = [
      { ...good, amountFen: 0 },
      { ...good, amountFen: -100 },
      { ...good, amountFen: 100.5 },
      { ...good, amountFen: '30000' },
      { ...good, storeCode: '门店' },
      { ...good, idempotencyKey: 'short' },
      { ...good, pointsToBurn: -1 },
      { ...good, couponId: 'x' },
      { amountFen: 30000, storeCode: 'S001' },
    ];
    for (const body of bad) {
      const answer = await api.call('POST', '/pay/orders', { token: me.token, body });
      expect({ body, status: answer.status, code: answer.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const notJson = await api.call('POST', '/pay/orders', {
      token: me.token,
      rawBody: '{"amountFen":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    for (const query of [
      'amountFen=abc&storeCode=S001',
      'amountFen=0&storeCode=S001',
      'amountFen=100',
      'amountFen=100&storeCode=S001&x=1',
    ]) {
      expect((await api.call('GET', `/pay/checkout?${query}`, { token: me.token })).status).toBe(400);
    }
    const unknownStore = await api.call('POST', '/pay/orders', { token: me.token, body: { ...good, storeCode: 'S999' } });
    expect([unknownStore.status, unknownStore.body.code, unknownStore.body.message]).toEqual([
      404,
      'PAY_STORE_UNKNOWN',
      '未找到该门店，请重新扫码',
    ]);
    const tooBig = await api.call('POST', '/pay/orders', { token: me.token, body: { ...good, amountFen: 99_999_999 } });
    expect([tooBig.status, tooBig.body.code]).toEqual([400, 'PAY_AMOUNT_INVALID']);

    expect((await api.call('POST', '/pay/orders', { body: good })).status).toBe(401);
    expect((await api.call('GET', '/staff/pay/orders', { token: me.token })).status).toBe(403);
    const mine = await api.call('POST', '/pay/orders', { token: me.token, body: good });
    expect(mine.status).toBe(200);
    const theirs = await api.call('GET', `/pay/orders/${mine.body.order.outTradeNo}`, { token: other.token });
    expect([theirs.status, theirs.body.code]).toEqual([404, 'PAY_ORDER_NOT_FOUND']);
    expect((await api.call('POST', `/pay/orders/${mine.body.order.outTradeNo}/cancel`, { token: other.token })).status).toBe(404);
    expect((await api.call('GET', '/pay/orders/../../x', { token: me.token })).status).toBe(404);

    const notPaid = await api.call('POST', `/staff/pay/orders/${mine.body.order.outTradeNo}/refunds`, {
      token: clerk,
      body: { amountFen: 100, outRefundNo: 'R-not-paid-1' },
    });
    expect([notPaid.status, notPaid.body.code]).toEqual([409, 'PAY_ORDER_NOT_PAID']);
    for (const body of [
      { amountFen: 0, outRefundNo: 'R-bad-1' },
      { amountFen: 100, outRefundNo: '退款' },
      { amountFen: 100 },
      { amountFen: 100, outRefundNo: 'R-bad-2', reason: '' },
    ]) {
      expect((await api.call('POST', `/staff/pay/orders/${mine.body.order.outTradeNo}/refunds`, { token: clerk, body })).status).toBe(400);
    }
    expect((await api.call('GET', '/staff/pay/orders?status=nope', { token: clerk })).status).toBe(400);
    expect((await api.call('GET', '/members/me/card', { token: me.token })).body.pointsBalance).toBe(0);
  });

  it('answers WeChat in its own terms: junk notifications get 400 {code: FAIL}; a WeChat outage: a clear 503 holding nothing', async () => {
    for (const raw of ['', 'not json', '{"id":"x"}']) {
      const answer = await fetch(`${stack.serverUrl}/api/pay/notify/transaction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: raw,
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ code: 'FAIL', message: expect.any(String) });
    }
    const me = await shopper('pay-outage', '13700004444', 50_000);
    await emulator('/dev/faults', { endpoint: 'pay_jsapi', httpStatus: 500, code: 'SYSTEM_ERROR' });
    const down = await api.call('POST', '/pay/orders', {
      token: me.token,
      body: { amountFen: 30000, storeCode: 'S002', couponId: me.couponId, pointsToBurn: 100, idempotencyKey: 'pay-outage-0001' },
    });
    expect([down.status, down.body.code, down.body.message]).toEqual([503, 'PAY_UNAVAILABLE', '微信支付繁忙，请稍后再试']);
    expect((await api.call('GET', '/members/me/card', { token: me.token })).body.pointsBalance).toBe(me.balance);
    const wallet = await api.call('GET', '/coupons/wallet?tab=usable', { token: me.token });
    expect(JSON.stringify(wallet.body)).toContain(`"id":${me.couponId}`);
    // A new checkout goes through once WeChat is back.
    const again = await api.call('POST', '/pay/orders', {
      token: me.token,
      body: { amountFen: 30000, storeCode: 'S002', couponId: me.couponId, pointsToBurn: 100, idempotencyKey: 'pay-outage-0002' },
    });
    expect([again.status, again.body.order?.payableFen]).toEqual([200, 30000 - 2000 - 100]);
  });
});
