// WeChat Pay v3 orders through the real wechatpay-node-v3 client: jsapi, wx.requestPayment, query, close,
// the Authorization check, signed answers, faults, and the certificate download.
import { createDecipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import { startHarness } from './harness';
import { APP, APP2 } from './harness';
import { openidFor } from './ids';
import { rsaSign, rsaVerify } from './pay/crypto';
import { payKeysToEmulatorConfig } from './pay/keys';
import {
  outTradeNo,
  type PayHarness,
  type PayResult,
  payClient,
  placeAndPay,
  placeOrder,
  requestPayment,
  startPayHarness,
} from './pay-harness';

let h: PayHarness;
beforeAll(async () => (h = await startPayHarness()));
beforeEach(() => h.state.reset());
afterAll(() => h.close());

const ALICE = openidFor(APP.appid, 'alice');

/** A raw v3 request signed like the library does, with knobs to break it. */
async function signed(
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  opts: {
    timestamp?: number;
    serial?: string;
    mchid?: string;
    key?: string;
    tamperBody?: string;
    header?: string;
    wechatpaySerial?: string | null;
  } = {},
): Promise<PayResult> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signature = rsaSign(opts.key ?? h.keys.merchant.privateKeyPem, `${method}\n${url}\n${ts}\n${nonce}\n${text}\n`);
  const authorization =
    opts.header ??
    `WECHATPAY2-SHA256-RSA2048 mchid="${opts.mchid ?? h.keys.mchid}",nonce_str="${nonce}",signature="${signature}",` +
      `timestamp="${ts}",serial_no="${opts.serial ?? h.keys.merchant.serialNo}"`;
  const res = await fetch(`${h.url}${url}`, {
    method,
    headers: {
      authorization,
      'content-type': 'application/json',
      accept: 'application/json',
      // Public-key mode, as our server sends it; null leaves it out (certificate mode).
      ...(opts.wechatpaySerial === null ? {} : { 'wechatpay-serial': opts.wechatpaySerial ?? h.keys.platform.publicKeyId }),
    },
    body: method === 'POST' ? (opts.tamperBody ?? text) : undefined,
  });
  const raw = await res.text();
  return { status: res.status, data: raw ? JSON.parse(raw) : undefined, headers: Object.fromEntries(res.headers), text: raw };
}

/** True when the answer carries a valid Wechatpay-* signature by the platform key in use. */
function signedByPlatform(res: PayResult, mode: 'publicKey' | 'certificate' = 'publicKey'): boolean {
  const hd = res.headers;
  const serial = mode === 'publicKey' ? h.keys.platform.publicKeyId : h.keys.platform.certSerialNo;
  const key = mode === 'publicKey' ? h.keys.platform.publicKeyPem : h.keys.platform.certPem;
  return (
    hd['wechatpay-serial'] === serial &&
    hd['wechatpay-signature-type'] === 'WECHATPAY2-SHA256-RSA2048' &&
    rsaVerify(key, `${hd['wechatpay-timestamp']}\n${hd['wechatpay-nonce']}\n${res.text}\n`, hd['wechatpay-signature'])
  );
}

const jsapiBody = (extra: Record<string, unknown> = {}) => ({
  appid: APP.appid,
  mchid: h.keys.mchid,
  description: '会员卡充值',
  out_trade_no: outTradeNo(),
  notify_url: h.notifyUrl,
  amount: { total: 100, currency: 'CNY' },
  payer: { openid: ALICE },
  ...extra,
});

describe('POST /v3/pay/transactions/jsapi and wx.requestPayment', () => {
  it('gives a prepay_id whose paySign the WeChat client accepts, then the order is paid', async () => {
    const order = await placeOrder(h, 'alice', { attach: 'member:42' });
    expect(order.prepayId).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(order.payment).toMatchObject({ appId: APP.appid, signType: 'RSA', timeStamp: expect.stringMatching(/^\d{10}$/) });
    expect(await requestPayment(h, 'alice', order.payment)).toEqual({ errMsg: 'requestPayment:ok' });

    const res = (await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(res.status).toBe(200);
    expect(signedByPlatform(res)).toBe(true);
    expect(res.data).toEqual({
      appid: APP.appid,
      mchid: h.keys.mchid,
      out_trade_no: order.outTradeNo,
      transaction_id: expect.stringMatching(/^4200\d{24}$/),
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      attach: 'member:42',
      success_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      payer: { openid: ALICE },
      amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
    });
    const byId = (await h.client.query({ transaction_id: res.data.transaction_id })) as PayResult;
    expect(byId.data).toEqual(res.data);
  });

  it('lets the user cancel, and the order stays payable', async () => {
    const order = await placeOrder(h, 'alice');
    expect(await requestPayment(h, 'alice', order.payment, { decision: 'cancel' })).toEqual({ errMsg: 'requestPayment:fail cancel' });
    const res = (await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(res.data).toMatchObject({ trade_state: 'NOTPAY', trade_state_desc: '订单未支付', amount: { total: 100, currency: 'CNY' } });
    expect(res.data.transaction_id).toBeUndefined();
    expect(await requestPayment(h, 'alice', order.payment)).toEqual({ errMsg: 'requestPayment:ok' });
  });

  it.each<[string, (p: Record<string, string>) => Record<string, unknown>, RegExp]>([
    ['a tampered paySign', (_p) => ({ paySign: rsaSign(h.keys.platform.privateKeyPem, 'x') }), /支付验证签名失败/],
    ['a paySign over another nonceStr', (p) => ({ nonceStr: `${p.nonceStr}x` }), /支付验证签名失败/],
    ['signType MD5', () => ({ signType: 'MD5' }), /signType/],
    ['a numeric timeStamp', (p) => ({ timeStamp: Number(p.timeStamp) }), /timeStamp/],
    ['an unknown prepay_id', () => ({ package: 'prepay_id=wx20250520100000abcdefabcdefabcdefab' }), /prepay_id无效/],
    ['another user', () => ({ user: 'bob' }), /不是下单用户/],
    ['another app', () => ({ appid: APP2.appid }), /签名失败|appid/],
  ])('fails for %s', async (_name, change, errMsg) => {
    const order = await placeOrder(h, 'alice');
    const res = await requestPayment(h, 'alice', order.payment, change(order.payment as unknown as Record<string, string>));
    expect(res.errMsg).toMatch(/^requestPayment:fail /);
    expect(res.errMsg).toMatch(errMsg);
    expect(h.state.pay.order(h.keys.mchid, order.outTradeNo)?.trade_state).toBe('NOTPAY');
  });

  it('refuses a second payment, a closed order, a prepay_id past 2 h and an order past time_expire', async () => {
    const paid = await placeAndPay(h, 'alice');
    expect((await requestPayment(h, 'alice', paid.payment)).errMsg).toBe('requestPayment:fail 该订单已支付');

    const closed = await placeOrder(h, 'alice');
    expect((await h.client.close(closed.outTradeNo)).status).toBe(204);
    expect((await requestPayment(h, 'alice', closed.payment)).errMsg).toBe('requestPayment:fail 订单已关闭');

    const expiring = await placeOrder(h, 'alice', {
      time_expire: new Date(Date.now() + 600_000).toISOString().replace(/\.\d+Z$/, '+00:00'),
    });
    const stale = await placeOrder(h, 'alice');
    await h.advance(601);
    expect((await requestPayment(h, 'alice', expiring.payment)).errMsg).toBe('requestPayment:fail 订单已过期');
    // WeChat closes only on a close call: an expired order still reads NOTPAY.
    expect(((await h.client.query({ out_trade_no: expiring.outTradeNo })) as PayResult).data.trade_state).toBe('NOTPAY');
    await h.advance(7200);
    expect((await requestPayment(h, 'alice', stale.payment)).errMsg).toMatch(/^requestPayment:fail prepay_id已过期/);
  });

  it('returns the same order for the same parameters, and rejects a changed repeat', async () => {
    const body = jsapiBody();
    const first = await signed('POST', '/v3/pay/transactions/jsapi', body);
    expect(first.status).toBe(200);
    expect(signedByPlatform(first)).toBe(true);
    const again = await signed('POST', '/v3/pay/transactions/jsapi', { ...body });
    expect(again.data.prepay_id).toBe(first.data.prepay_id);
    const changed = await signed('POST', '/v3/pay/transactions/jsapi', { ...body, amount: { total: 200, currency: 'CNY' } });
    expect(changed.status).toBe(400);
    expect(changed.data).toEqual({ code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
    expect(signedByPlatform(changed)).toBe(true);
    // after the prepay_id's 2 hours, the same parameters give a fresh one
    await h.advance(7200);
    const later = await signed('POST', '/v3/pay/transactions/jsapi', body);
    expect(later.status).toBe(200);
    expect(later.data.prepay_id).not.toBe(first.data.prepay_id);
    expect(h.state.pay.orders.size).toBe(1);
  });

  it('answers ORDERPAID for a paid order and ORDER_CLOSED for a closed one', async () => {
    const paid = jsapiBody();
    const res = await signed('POST', '/v3/pay/transactions/jsapi', paid);
    const prepay = res.data.prepay_id as string;
    const ts = String(Math.floor(Date.now() / 1000));
    const pkg = `prepay_id=${prepay}`;
    const paySign = rsaSign(h.keys.merchant.privateKeyPem, `${APP.appid}\n${ts}\nn0nce\n${pkg}\n`);
    expect(
      (
        await h.post('/dev/pay/request-payment', {
          user: 'alice',
          timeStamp: ts,
          nonceStr: 'n0nce',
          package: pkg,
          signType: 'RSA',
          paySign,
        })
      ).errMsg,
    ).toBe('requestPayment:ok');
    const again = await signed('POST', '/v3/pay/transactions/jsapi', paid);
    expect([again.status, again.data.code]).toEqual([400, 'ORDERPAID']);

    const closed = jsapiBody();
    await signed('POST', '/v3/pay/transactions/jsapi', closed);
    await h.client.close(closed.out_trade_no);
    const reopen = await signed('POST', '/v3/pay/transactions/jsapi', closed);
    expect([reopen.status, reopen.data.code]).toEqual([400, 'ORDER_CLOSED']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing description', { description: undefined }, '/body/description'],
    ['a description over 127 bytes', { description: '会'.repeat(43) }, '/body/description'],
    ['a 5-character out_trade_no', { out_trade_no: 'A1234' }, '/body/out_trade_no'],
    ['a 33-character out_trade_no', { out_trade_no: 'A'.repeat(33) }, '/body/out_trade_no'],
    ['an out_trade_no with a dot', { out_trade_no: 'ORDER.123456' }, '/body/out_trade_no'],
    ['an http notify_url off loopback', { notify_url: 'http://example.com/notify' }, '/body/notify_url'],
    ['a notify_url with a query', { notify_url: 'https://example.com/notify?a=1' }, '/body/notify_url'],
    ['a relative notify_url', { notify_url: '/notify' }, '/body/notify_url'],
    ['a time_expire without offset', { time_expire: '2030-01-01T10:00:00' }, '/body/time_expire'],
    ['a zero total', { amount: { total: 0 } }, '/body/amount/total'],
    ['a fractional total', { amount: { total: 1.5 } }, '/body/amount/total'],
    ['a string total', { amount: { total: '100' } }, '/body/amount/total'],
    ['USD', { amount: { total: 100, currency: 'USD' } }, '/body/amount/currency'],
    ['no payer', { payer: undefined }, '/body/payer'],
    ['an empty openid', { payer: { openid: '' } }, '/body/payer/openid'],
    ['an attach over 128 bytes', { attach: 'a'.repeat(129) }, '/body/attach'],
  ])('answers 400 PARAM_ERROR for %s', async (_name, change, pointer) => {
    const res = await signed('POST', '/v3/pay/transactions/jsapi', jsapiBody(change));
    expect(res.status).toBe(400);
    expect(res.data.code).toBe('PARAM_ERROR');
    expect(res.data.message).toContain(`输入源“${pointer}”`);
    expect(signedByPlatform(res)).toBe(true);
  });

  it('accepts the edge values: 6 and 32 characters with _-|*, 127 bytes, https and loopback http', async () => {
    for (const change of [
      { out_trade_no: 'a_-|*1' },
      { out_trade_no: `${'Z'.repeat(31)}9` },
      { description: `${'会'.repeat(42)}a` },
      { notify_url: 'https://pay.example.com/wechat/notify' },
      { notify_url: 'http://localhost:3000/notify' },
      { time_expire: '2099-12-31T23:59:59+08:00', amount: { total: 1 } },
    ]) {
      const res = await signed('POST', '/v3/pay/transactions/jsapi', jsapiBody(change));
      expect([res.status, res.data]).toEqual([200, { prepay_id: expect.any(String) }]);
    }
  });

  it('checks the appid binding, the mchid, the openid’s app and time_expire', async () => {
    const other = await signed(
      'POST',
      '/v3/pay/transactions/jsapi',
      jsapiBody({ appid: APP2.appid, payer: { openid: openidFor(APP2.appid, 'alice') } }),
    );
    expect([other.status, other.data.code]).toEqual([400, 'APPID_MCHID_NOT_MATCH']);
    const mchid = await signed('POST', '/v3/pay/transactions/jsapi', jsapiBody({ mchid: '1900000999' }));
    expect([mchid.status, mchid.data.code]).toEqual([400, 'INVALID_REQUEST']);
    await h.login('bob', APP2); // the emulator now knows bob's APP2 openid
    const openid = await signed('POST', '/v3/pay/transactions/jsapi', jsapiBody({ payer: { openid: openidFor(APP2.appid, 'bob') } }));
    expect([openid.status, openid.data]).toEqual([400, { code: 'PARAM_ERROR', message: 'appid和openid不匹配' }]);
    const past = await signed('POST', '/v3/pay/transactions/jsapi', jsapiBody({ time_expire: '2020-01-01T00:00:00+08:00' }));
    expect([past.status, past.data.code]).toEqual([400, 'INVALID_REQUEST']);
    const bad = await signed('POST', '/v3/pay/transactions/jsapi', undefined, { tamperBody: '{not json' });
    expect(bad.status).toBe(401); // the signature (over an empty body) is checked first
  });
});

describe('Authorization', () => {
  const query = () => `/v3/pay/transactions/out-trade-no/NOPE123456?mchid=${h.keys.mchid}`;

  it('accepts a correct signature (404 for an unknown order, signed)', async () => {
    const res = await signed('GET', query(), undefined);
    expect(res.status).toBe(404);
    expect(res.data).toEqual({ code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    expect(signedByPlatform(res)).toBe(true);
    expect(res.headers['request-id']).toMatch(/^08[0-9A-F]{32}$/);
  });

  it.each<[string, () => Parameters<typeof signed>[3]]>([
    ['no Authorization header', () => ({ header: '' })],
    ['another scheme', () => ({ header: 'Bearer abc' })],
    [
      'a signature by another key',
      () => ({ key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }),
    ],
    ['an unknown serial_no', () => ({ serial: '1'.repeat(40) })],
    ['an unknown mchid', () => ({ mchid: '1900000999' })],
    ['a timestamp 10 minutes old', () => ({ timestamp: Math.floor(Date.now() / 1000) - 600 })],
    ['a timestamp 10 minutes ahead', () => ({ timestamp: Math.floor(Date.now() / 1000) + 600 })],
  ])('answers 401 SIGN_ERROR for %s', async (_name, opts) => {
    const res = await signed('GET', query(), undefined, opts());
    expect(res.status).toBe(401);
    expect(res.data.code).toBe('SIGN_ERROR');
    expect(signedByPlatform(res)).toBe(true);
  });

  it('verifies the exact body bytes and the path with its query', async () => {
    const body = jsapiBody();
    const res = await signed('POST', '/v3/pay/transactions/jsapi', body, { tamperBody: JSON.stringify(body, null, 1) });
    expect(res.status).toBe(401);
    expect(res.data.detail.sign_information).toMatchObject({ method: 'POST', url: '/v3/pay/transactions/jsapi' });
    const text = JSON.stringify(body);
    const spaced = await fetch(`${h.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: { authorization: await authFor('POST', '/v3/pay/transactions/jsapi', text), 'content-type': 'application/json' },
      body: text,
    });
    expect(spaced.status).toBe(200);
    const wrongQuery = await fetch(`${h.url}${query()}&x=1`, { headers: { authorization: await authFor('GET', query(), '') } });
    expect(wrongQuery.status).toBe(401);
  });

  it('accepts the server’s real clock after /dev/clock jumps (it can’t jump along)', async () => {
    const order = await placeOrder(h, 'alice');
    await h.advance(3 * 3600);
    const res = (await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(res.status).toBe(200);
    expect(Math.abs(Number(res.headers['wechatpay-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('answers as to an unknown merchant when pay is not configured', async () => {
    const bare = await startHarness({ now: Date.now });
    try {
      const res = (await payClient(h.keys, bare.url).query({ out_trade_no: 'ABC123456' })) as PayResult;
      expect(res.status).toBe(401);
      expect(res.data.code).toBe('SIGN_ERROR');
      expect(res.headers['wechatpay-signature']).toBeUndefined();
      expect(await bare.get('/dev/pay/settings')).toEqual({ error: expect.stringMatching(/not configured/) });
    } finally {
      await bare.close();
    }
  });

  async function authFor(method: string, url: string, body: string): Promise<string> {
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = rsaSign(h.keys.merchant.privateKeyPem, `${method}\n${url}\n${ts}\nabc\n${body}\n`);
    return (
      `WECHATPAY2-SHA256-RSA2048 serial_no="${h.keys.merchant.serialNo}",timestamp="${ts}",signature="${signature}",` +
      `nonce_str="abc",mchid="${h.keys.mchid}"`
    );
  }
});

describe('query and close', () => {
  it('queries need the mchid query parameter, the signing merchant’s', async () => {
    const missing = await signed('GET', '/v3/pay/transactions/out-trade-no/ABC123456', undefined);
    expect([missing.status, missing.data.code]).toEqual([400, 'PARAM_ERROR']);
    const other = await signed('GET', '/v3/pay/transactions/out-trade-no/ABC123456?mchid=1900000999', undefined);
    expect([other.status, other.data.code]).toEqual([400, 'INVALID_REQUEST']);
    const byId = await signed('GET', `/v3/pay/transactions/id/4200000000202501010000000000?mchid=${h.keys.mchid}`, undefined);
    expect([byId.status, byId.data.code]).toEqual([404, 'ORDER_NOT_EXIST']);
  });

  it('an unpaid order has no transaction_id and can’t be found by one', async () => {
    const order = await placeOrder(h, 'alice');
    const res = (await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(res.data).toEqual({
      appid: APP.appid,
      mchid: h.keys.mchid,
      out_trade_no: order.outTradeNo,
      trade_type: 'JSAPI',
      trade_state: 'NOTPAY',
      trade_state_desc: '订单未支付',
      attach: '',
      payer: { openid: ALICE },
      amount: { total: 100, currency: 'CNY', payer_currency: 'CNY' },
    });
  });

  it('closes an unpaid order with 204 (twice is fine), not a paid one', async () => {
    const order = await placeOrder(h, 'alice');
    const first = (await h.client.close(order.outTradeNo)) as PayResult;
    expect([first.status, first.text]).toEqual([204, '']);
    expect(signedByPlatform(first)).toBe(true);
    expect((await h.client.close(order.outTradeNo)).status).toBe(204);
    const res = (await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(res.data).toMatchObject({ trade_state: 'CLOSED', trade_state_desc: '订单已关闭' });

    const paid = await placeAndPay(h, 'alice');
    const refused = (await h.client.close(paid.outTradeNo)) as PayResult;
    expect([refused.status, refused.data]).toEqual([400, { code: 'ORDERPAID', message: '订单已支付' }]);
    const unknown = (await h.client.close('NOPE123456')) as PayResult;
    expect([unknown.status, unknown.data.code]).toEqual([404, 'ORDER_NOT_EXIST']);
    const mismatch = await signed('POST', `/v3/pay/transactions/out-trade-no/${order.outTradeNo}/close`, { mchid: '1900000999' });
    expect([mismatch.status, mismatch.data.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('answers a wrong method with 400 INVALID_REQUEST', async () => {
    const res = await signed('GET', '/v3/pay/transactions/jsapi', undefined);
    expect([res.status, res.data.code]).toEqual([400, 'INVALID_REQUEST']);
  });
});

describe('faults and stats on pay endpoints', () => {
  it('answers an injected fault pay-style, signed, and counts the calls', async () => {
    expect(await h.post('/dev/faults', { endpoint: 'pay_jsapi', httpStatus: 503, times: 1 })).toHaveProperty('pay_jsapi');
    await h.post('/dev/faults', { endpoint: 'pay_query', code: 'FREQUENCY_LIMITED', httpStatus: 429 });
    const res = (await h.client.transactions_jsapi(jsapiBody() as never)) as PayResult;
    expect([res.status, res.data]).toEqual([503, { code: 'SYSTEM_ERROR', message: '系统异常，请稍后重试' }]);
    expect(signedByPlatform(res)).toBe(true);
    expect(h.state.pay.orders.size).toBe(0); // faulted calls change nothing
    const q = (await h.client.query({ out_trade_no: 'ABC123456' })) as PayResult;
    expect([q.status, q.data.code]).toEqual([429, 'FREQUENCY_LIMITED']);
    await placeOrder(h, 'alice');
    expect(await h.get('/dev/stats')).toMatchObject({ pay_jsapi: 2, pay_query: 1, pay_close: 0, pay_refund: 0 });
  });

  it('delays a pay call and rejects errcode on pay endpoints or code elsewhere', async () => {
    await h.post('/dev/faults', { endpoint: 'pay_certificates', delayMs: 150 });
    const started = Date.now();
    expect(((await h.client.get_certificates(h.keys.apiV3Key)) as unknown[]).length).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await h.post('/dev/faults', { endpoint: 'pay_jsapi', errcode: -1 })).error).toMatch(/code/);
    expect((await h.post('/dev/faults', { endpoint: 'token', code: 'SYSTEM_ERROR' })).error).toMatch(/errcode/);
    expect((await h.post('/dev/faults', { endpoint: 'pay_jsapi', code: 'lower' })).error).toMatch(/code/);
  });
});

describe('GET /v3/certificates', () => {
  it('is what wechatpay-node-v3 fetchCertificates decrypts, and verifySign then checks certificate-mode answers', async () => {
    const list = (await h.client.get_certificates(h.keys.apiV3Key)) as Array<Record<string, any>>;
    expect(list).toEqual([
      {
        serial_no: h.keys.platform.certSerialNo,
        effective_time: expect.stringMatching(/\+08:00$/),
        expire_time: expect.stringMatching(/\+08:00$/),
        encrypt_certificate: {
          algorithm: 'AEAD_AES_256_GCM',
          nonce: expect.stringMatching(/^\w{12}$/),
          associated_data: 'certificate',
          ciphertext: expect.any(String),
        },
        publicKey: expect.stringContaining('BEGIN PUBLIC KEY'),
      },
    ]);
    expect(h.client.decipher_gcm(list[0].encrypt_certificate.ciphertext, 'certificate', list[0].encrypt_certificate.nonce)).toBe(
      h.keys.platform.certPem,
    );

    await h.post('/dev/pay/settings', { signWith: 'certificate' });
    const order = await placeOrder(h, 'alice');
    const res = (await h.client.query({ out_trade_no: order.outTradeNo })) as PayResult;
    expect(signedByPlatform(res, 'certificate')).toBe(true);
    // verifySign looks the serial up, calling fetchCertificates (the private method) when it is new
    const ok = await h.client.verifySign({
      timestamp: res.headers['wechatpay-timestamp'],
      nonce: res.headers['wechatpay-nonce'],
      serial: res.headers['wechatpay-serial'],
      signature: res.headers['wechatpay-signature'],
      body: res.text,
      apiSecret: h.keys.apiV3Key,
    });
    expect(ok).toBe(true);
  });

  it('is encrypted with the calling merchant’s APIv3 key', async () => {
    const list = (await h.client.get_certificates(h.keys.apiV3Key)) as Array<Record<string, any>>;
    const { ciphertext, nonce } = list[0].encrypt_certificate;
    // The SDK's decipher_gcm skips the tag check, so open it with node:crypto, which checks it.
    const open = (key: string): string => {
      const bytes = Buffer.from(ciphertext, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
      decipher.setAAD(Buffer.from(list[0].encrypt_certificate.associated_data ?? '', 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    };
    expect(open(h.keys.apiV3Key)).toContain('BEGIN CERTIFICATE');
    expect(() => open('x'.repeat(32))).toThrow();
  });

  it('uses the config’s signWith by default', async () => {
    const cert = await startHarness({ now: Date.now, pay: { ...payKeysToEmulatorConfig(h.keys), signWith: 'certificate' } });
    try {
      const res = (await payClient(h.keys, cert.url).query({ out_trade_no: 'ABC123456' })) as PayResult;
      expect(res.headers['wechatpay-serial']).toBe(h.keys.platform.certSerialNo);
    } finally {
      await cert.close();
    }
  });
});
