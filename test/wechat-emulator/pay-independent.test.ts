// An independent check on the emulator: wechatpay-axios-plugin (a second, well-kept implementation of WeChat
// Pay v3's crypto, by another author, tested against WeChat itself) verifies what the emulator signs and
// encrypts, and signs requests the emulator must accept. The emulator and our server share our reading of
// WeChat's docs; this library does not, so a misunderstanding both of ours share fails here.
import { Aes, Formatter, Rsa, type WechatpayAxiosPlugin } from 'wechatpay-axios-plugin';
import { APP } from './harness';
import { openidFor } from './ids';
import { type PayHarness, outTradeNo, placeAndPay, startPayHarness } from './pay-harness';

/** The AES-256-GCM helper, typed through the library's namespace (the exported subclass drops its statics). */
const AesGcm = (Aes as unknown as typeof WechatpayAxiosPlugin.Aes).AesGcm;

let h: PayHarness;
beforeAll(async () => (h = await startPayHarness()));
beforeEach(() => h.state.reset());
afterAll(() => h.close());

/** A request signed and authorized by the independent library only: Formatter.request → Rsa.sign → Formatter.authorization. */
async function independentRequest(method: 'GET' | 'POST', uri: string, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const timestamp = Formatter.timestamp();
  const nonce = Formatter.nonce();
  const signature = Rsa.sign(
    Formatter.request(method, uri, timestamp, nonce, text),
    Rsa.from(h.keys.merchant.privateKeyPem, Rsa.KEY_TYPE_PRIVATE),
  );
  const authorization = Formatter.authorization(h.keys.mchid, nonce, signature, timestamp, h.keys.merchant.serialNo);
  const res = await fetch(`${h.url}${uri}`, {
    method,
    headers: { authorization, accept: 'application/json', 'content-type': 'application/json', ...headers },
    body: method === 'POST' ? text : undefined,
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
}

/** Rsa.verify over Formatter.response, with the key named by the answer's Wechatpay-Serial. */
function independentlyVerified(headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const serial = headers['wechatpay-serial'];
  const key =
    serial === h.keys.platform.publicKeyId
      ? h.keys.platform.publicKeyPem
      : serial === h.keys.platform.certSerialNo
        ? h.keys.platform.certPem
        : null;
  if (!key) return false;
  const message = Formatter.response(headers['wechatpay-timestamp'] as string, headers['wechatpay-nonce'] as string, body);
  return Rsa.verify(message, headers['wechatpay-signature'] as string, Rsa.from(key, Rsa.KEY_TYPE_PUBLIC));
}

describe('the emulator checked by wechatpay-axios-plugin', () => {
  it('accepts an Authorization header built by the library, and its answers verify with the library', async () => {
    const order = {
      appid: APP.appid,
      mchid: h.keys.mchid,
      description: '会员卡充值',
      out_trade_no: outTradeNo('IND'),
      notify_url: h.notifyUrl,
      amount: { total: 100, currency: 'CNY' },
      payer: { openid: openidFor(APP.appid, 'alice') },
    };
    const created = await independentRequest('POST', '/v3/pay/transactions/jsapi', order, {
      'wechatpay-serial': h.keys.platform.publicKeyId,
    });
    expect(created.status).toBe(200);
    expect(JSON.parse(created.text).prepay_id).toMatch(/^wx/);
    expect(created.headers['wechatpay-serial']).toBe(h.keys.platform.publicKeyId);
    expect(independentlyVerified(created.headers, created.text)).toBe(true);

    // Without Wechatpay-Serial the answer is signed with the certificate, and still verifies (with it).
    const queried = await independentRequest(
      'GET',
      `/v3/pay/transactions/out-trade-no/${order.out_trade_no}?mchid=${h.keys.mchid}`,
      undefined,
    );
    expect(queried.status).toBe(200);
    expect(queried.headers['wechatpay-serial']).toBe(h.keys.platform.certSerialNo);
    expect(independentlyVerified(queried.headers, queried.text)).toBe(true);
    expect(independentlyVerified(queried.headers, `${queried.text} `)).toBe(false);

    // A signature the library makes over another body is refused.
    const forgedBody = { ...order, out_trade_no: outTradeNo('IND') };
    const timestamp = Formatter.timestamp();
    const nonce = Formatter.nonce();
    const signature = Rsa.sign(
      Formatter.request('POST', '/v3/pay/transactions/jsapi', timestamp, nonce, JSON.stringify(order)),
      Rsa.from(h.keys.merchant.privateKeyPem, Rsa.KEY_TYPE_PRIVATE),
    );
    const refused = await fetch(`${h.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: {
        authorization: Formatter.authorization(h.keys.mchid, nonce, signature, timestamp, h.keys.merchant.serialNo),
        'content-type': 'application/json',
      },
      body: JSON.stringify(forgedBody),
    });
    expect(refused.status).toBe(401);
  });

  it('sends notifications whose signature and AEAD_AES_256_GCM resource the library verifies and decrypts', async () => {
    await h.post('/dev/pay/settings', { signWith: 'mixed' });
    const paid = [await placeAndPay(h, 'alice'), await placeAndPay(h, 'alice')];
    const requests = await h.receiver.waitFor(2);
    for (const request of requests) {
      expect(independentlyVerified(request.headers, request.body)).toBe(true);
      const { resource } = JSON.parse(request.body);
      const plain = JSON.parse(AesGcm.decrypt(resource.ciphertext, h.keys.apiV3Key, resource.nonce, resource.associated_data));
      expect(plain).toMatchObject({ mchid: h.keys.mchid, trade_state: 'SUCCESS', payer: { openid: openidFor(APP.appid, 'alice') } });
      expect(paid.map((p) => p.outTradeNo)).toContain(plain.out_trade_no);
      // The library checks the tag: one flipped bit and it refuses, as our server must.
      const bytes = Buffer.from(resource.ciphertext, 'base64');
      bytes[0] ^= 1;
      expect(() => AesGcm.decrypt(bytes.toString('base64'), h.keys.apiV3Key, resource.nonce, resource.associated_data)).toThrow();
    }
  });

  it('serves a certificate list the library decrypts to the certificate that signs certificate-mode answers', async () => {
    const list = await independentRequest('GET', '/v3/certificates', undefined);
    expect(list.status).toBe(200);
    expect(independentlyVerified(list.headers, list.text)).toBe(true);
    const [entry] = JSON.parse(list.text).data;
    const pem = AesGcm.decrypt(
      entry.encrypt_certificate.ciphertext,
      h.keys.apiV3Key,
      entry.encrypt_certificate.nonce,
      entry.encrypt_certificate.associated_data,
    );
    expect(pem).toBe(h.keys.platform.certPem);
    expect(entry.serial_no).toBe(h.keys.platform.certSerialNo);
  });
});
