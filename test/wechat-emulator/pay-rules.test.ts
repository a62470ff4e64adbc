// WeChat Pay as it really answers (WeChat Pay v3 docs): the answer's key follows the request's
// Wechatpay-Serial, callbacks mix serials during the migration window, a close can answer 202 USERPAYING,
// refunds are a minute apart and their reason is counted in bytes, and tests can make any endpoint answer
// 202/400/403/429/NOT_ENOUGH through /dev/faults.
import { rsaVerify } from './pay/crypto';
import { type PayHarness, type PayResult, payClient, placeAndPay, placeOrder, requestPayment, startPayHarness } from './pay-harness';

let h: PayHarness;
beforeAll(async () => (h = await startPayHarness()));
beforeEach(() => h.state.reset());
afterAll(() => h.close());

/** Which platform key signed this answer: 'publicKey', 'certificate', or null when neither verifies. */
function signedWith(res: PayResult): 'publicKey' | 'certificate' | null {
  const hd = res.headers;
  const message = `${hd['wechatpay-timestamp']}\n${hd['wechatpay-nonce']}\n${res.text}\n`;
  if (hd['wechatpay-serial'] === h.keys.platform.publicKeyId && rsaVerify(h.keys.platform.publicKeyPem, message, hd['wechatpay-signature']))
    return 'publicKey';
  if (hd['wechatpay-serial'] === h.keys.platform.certSerialNo && rsaVerify(h.keys.platform.certPem, message, hd['wechatpay-signature']))
    return 'certificate';
  return null;
}

const refundBody = (outTradeNo: string, outRefundNo: string, extra: Record<string, unknown> = {}) => ({
  out_trade_no: outTradeNo,
  out_refund_no: outRefundNo,
  amount: { refund: 10, total: 100, currency: 'CNY' },
  ...extra,
});

describe('the answer’s signing key', () => {
  it('is the public key only when the request names it in Wechatpay-Serial; otherwise the platform certificate', async () => {
    const order = await placeOrder(h, 'alice');
    const withSerial = (await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(signedWith(withSerial)).toBe('publicKey');
    const without = (await payClient(h.keys, h.url, undefined, 'certificate').query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(signedWith(without)).toBe('certificate');
    // Errors and injected faults follow the same rule: a 2xx fault (202) must verify like any answer.
    await h.post('/dev/faults', { endpoint: 'pay_close', code: 'USERPAYING', httpStatus: 202 });
    const fault = (await h.client.close(order.outTradeNo)) as PayResult;
    expect([fault.status, fault.data.code, signedWith(fault)]).toEqual([202, 'USERPAYING', 'publicKey']);
  });

  it('is always the certificate for a merchant without a public key', async () => {
    await h.post('/dev/pay/settings', { signWith: 'certificate' });
    const res = (await h.client.query({ out_trade_no: 'NOPE123456' })) as PayResult;
    expect(signedWith(res)).toBe('certificate');
  });
});

describe('notifications during the migration window', () => {
  it("alternate the public key and the certificate with signWith 'mixed', each verifiable by its serial", async () => {
    await h.post('/dev/pay/settings', { signWith: 'mixed' });
    await placeAndPay(h, 'alice');
    await placeAndPay(h, 'alice');
    const requests = await h.receiver.waitFor(2);
    const serials = requests.map((r) => r.headers['wechatpay-serial']);
    expect(new Set(serials)).toEqual(new Set([h.keys.platform.publicKeyId, h.keys.platform.certSerialNo]));
    for (const r of requests) {
      const key = r.headers['wechatpay-serial'] === h.keys.platform.publicKeyId ? h.keys.platform.publicKeyPem : h.keys.platform.certPem;
      expect(
        rsaVerify(
          key,
          `${r.headers['wechatpay-timestamp']}\n${r.headers['wechatpay-nonce']}\n${r.body}\n`,
          r.headers['wechatpay-signature'] as string,
        ),
      ).toBe(true);
    }
  });
});

describe('closing', () => {
  it('answers 202 USERPAYING while the member is in the cashier, and the order can still be paid', async () => {
    const order = await placeOrder(h, 'alice');
    expect(await requestPayment(h, 'alice', order.payment, { decision: 'paying' })).toEqual({ errMsg: 'requestPayment:paying' });
    const res = (await h.client.close(order.outTradeNo)) as PayResult;
    expect([res.status, res.data]).toEqual([202, { code: 'USERPAYING', message: '用户支付中，需要输入密码' }]);
    expect(((await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult).data.trade_state).toBe('USERPAYING');
    expect(await requestPayment(h, 'alice', order.payment)).toEqual({ errMsg: 'requestPayment:ok' });
    expect(((await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult).data.trade_state).toBe('SUCCESS');
  });

  it.each<[number, string]>([
    [400, 'ORDER_CLOSED'],
    [403, 'TRADE_ERROR'],
    [429, 'FREQUENCY_LIMITED'],
  ])('answers an injected %i %s once, signed, and changes nothing', async (status, code) => {
    const order = await placeOrder(h, 'alice');
    await h.post('/dev/faults', { endpoint: 'pay_close', code, httpStatus: status });
    const res = (await h.client.close(order.outTradeNo)) as PayResult;
    expect([res.status, res.data.code, signedWith(res)]).toEqual([status, code, 'publicKey']);
    expect(h.state.pay.order(h.keys.mchid, order.outTradeNo)?.trade_state).toBe('NOTPAY');
    expect((await h.client.close(order.outTradeNo)).status).toBe(204);
  });
});

describe('refunds', () => {
  it('spaces refunds of one order a minute apart (429 FREQUENCY_LIMITED) but answers a repeated out_refund_no at once', async () => {
    const order = await placeAndPay(h, 'alice');
    const first = (await h.client.refunds(refundBody(order.outTradeNo, 'R-1'))) as PayResult;
    expect([first.status, first.data.status]).toEqual([200, 'PROCESSING']);
    const again = (await h.client.refunds(refundBody(order.outTradeNo, 'R-1'))) as PayResult;
    expect([again.status, again.data.refund_id]).toEqual([200, first.data.refund_id]);
    const soon = (await h.client.refunds(refundBody(order.outTradeNo, 'R-2'))) as PayResult;
    expect([soon.status, soon.data.code]).toEqual([429, 'FREQUENCY_LIMITED']);
    await h.advance(60);
    expect(((await h.client.refunds(refundBody(order.outTradeNo, 'R-2'))) as PayResult).status).toBe(200);
  });

  it('counts reason in UTF-8 bytes: 26 Chinese characters (78 bytes) pass, 27 (81 bytes) are PARAM_ERROR', async () => {
    const order = await placeAndPay(h, 'alice');
    const long = (await h.client.refunds(refundBody(order.outTradeNo, 'R-long', { reason: '退'.repeat(27) }))) as PayResult;
    expect([long.status, long.data.code]).toEqual([400, 'PARAM_ERROR']);
    expect(long.data.message).toContain('/body/reason');
    const fits = (await h.client.refunds(refundBody(order.outTradeNo, 'R-long', { reason: '退'.repeat(26) }))) as PayResult;
    expect(fits.status).toBe(200); // the number a refused request carried is still free: the retry uses it
  });

  it('answers an injected 403 NOT_ENOUGH with WeChat’s message; the same out_refund_no later goes through', async () => {
    const order = await placeAndPay(h, 'alice');
    await h.post('/dev/faults', { endpoint: 'pay_refund', code: 'NOT_ENOUGH', httpStatus: 403 });
    const poor = (await h.client.refunds(refundBody(order.outTradeNo, 'R-poor'))) as PayResult;
    expect([poor.status, poor.data]).toEqual([403, { code: 'NOT_ENOUGH', message: '基本账户余额不足，请充值后重新发起' }]);
    expect(h.state.pay.refunds.size).toBe(0);
    expect(((await h.client.refunds(refundBody(order.outTradeNo, 'R-poor'))) as PayResult).status).toBe(200);
  });
});
