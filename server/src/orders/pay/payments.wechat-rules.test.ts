// WeChat Pay by WeChat's own rules (WeChat Pay v3 docs, issue 13): public-key mode names its key on every
// request, closing is decided by what WeChat says, what WeChat sends is decrypted with its tag checked, refunds
// follow WeChat's limits and are retried under their own number, and texts are cut in UTF-8 bytes.
import { errorMessage, PayOrderStatus } from '@member/shared';
import { TEST_DATABASES } from '../../testing/databases';
import { TEST_APP } from '../../testing/emulator';
import type { TestApp } from '../../testing/test-app';
import { expectInvariants } from '../../testing/invariants';
import { codeOf, waitFor } from '../../testing/spec';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aesGcmEncrypt } from '../../../../test/wechat-emulator/pay/crypto';
import { notificationEnvelope, platformSignature } from '../../../../test/wechat-emulator/pay/envelope';
import { PayRefund } from './pay-order.entity';
import type { PayServices } from './pay.testing';
import { paySpec } from '../../testing/pay-spec';
import { Aes, Formatter, Rsa, type WechatpayAxiosPlugin } from 'wechatpay-axios-plugin';
import { cutUtf8, decryptResource, WechatPayClient } from './wechat-pay.client';

type Json = any;

describe('cutUtf8', () => {
  it('cuts at a byte limit between characters', () => {
    expect(cutUtf8('退'.repeat(30), 80)).toBe('退'.repeat(26)); // 78 bytes; a 27th would make 81
    expect(cutUtf8(`ab${'😀'.repeat(40)}`, 127)).toBe(`ab${'😀'.repeat(31)}`); // 2 + 31×4 = 126
    expect(cutUtf8('short', 80)).toBe('short');
  });
});

describe.each(TEST_DATABASES)('WeChat Pay by WeChat’s rules on %s', (kind) => {
  const pay = paySpec(kind, 'rules');
  const { key, emulatorGet, emulatorPost, newMember, balanceOf, couponStatus, orderOf, requestPayment, checkout, paidOrder } = pay;
  const { backToRealTime, reconcileAfter, transactionFor } = pay;
  let t: TestApp;
  let payments: PayServices;

  const fault = (endpoint: string, code: string, httpStatus: number) => emulatorPost('/dev/faults', { endpoint, code, httpStatus });
  const calls = async (endpoint: string): Promise<number> => (await emulatorGet('/dev/stats'))[endpoint];

  const refundOf = (outRefundNo: string) => t.db.dataSource.getRepository(PayRefund).findOneByOrFail({ outRefundNo });
  const atWechat = async (outTradeNo: string) => (await emulatorGet(`/dev/pay/orders?out_trade_no=${outTradeNo}`)).orders[0];

  /** A new member's order of `amountFen`, paid: what the refund tests start from. */
  async function paidByNewMember(amountFen = 30000) {
    const me = await newMember();
    return { me, no: (await paidOrder(me, { amountFen })).order.outTradeNo };
  }

  beforeAll(async () => {
    // Forged and tampered notifications are sent on purpose: their warnings are expected.
    ({ t, payments } = await pay.start({ LOG_LEVEL: 'silent' }));
  });
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  describe('1. public-key mode', () => {
    it('names PUB_KEY_ID_… on every request, so every answer is signed with the public key, and never downloads certificates', async () => {
      // WeChat signs with the certificate when the header is missing: a server that forgot it would have to
      // download certificates (impossible once they are retired) or fail every answer.
      const before = await calls('pay_certificates');
      const { me, no } = await paidByNewMember(20000);
      expect((await payments.get(me.id, no, true)).order.status).toBe('paid');
      const refunded = await payments.refund(no, { amountFen: 100, outRefundNo: `R-${no}-pk` }, 'o-clerk');
      expect(refunded.refunds[0].status).toBe('processing');
      const other = await newMember();
      const open = await checkout(other.id, { amountFen: 500 });
      expect(open.payment).not.toBeNull();
      expect((await payments.cancel(other.id, open.order.outTradeNo)).status).toBe('closed');
      expect(await calls('pay_certificates')).toBe(before);
    });

    it('does not download certificates for notifications naming unknown serials, however many arrive', async () => {
      const me = await newMember();
      const created = await checkout(me.id, { amountFen: 1000 });
      const order = await orderOf(created.order.outTradeNo);
      const keys = t.pay!.keys;
      const before = await calls('pay_certificates');
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const { body } = notificationEnvelope(
            keys.apiV3Key,
            {
              eventType: 'TRANSACTION.SUCCESS',
              summary: '支付成功',
              originalType: 'transaction',
              plaintext: { out_trade_no: order.outTradeNo },
            },
            Date.now(),
          );
          const headers = lower(
            platformSignature(keys.platform.certPrivateKeyPem, `7${String(i).padStart(39, '0')}`, body, Math.floor(Date.now() / 1000)),
          );
          return (
            await fetch(`${t.pay!.serverUrl}/api/pay/notify/transaction`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body,
            })
          ).status;
        }),
      );
      expect(answers.every((s) => s === 400)).toBe(true);
      expect(await calls('pay_certificates')).toBe(before);
      await payments.cancel(me.id, order.outTradeNo);
    });

    it('keeps both verifiers during the migration window: notifications signed with either serial verify', async () => {
      const client = new WechatPayClient({ ...t.config, wechatPay: { ...t.config.wechatPay!, platformCertificates: true } }, t.clock);
      await emulatorPost('/dev/pay/settings', { signWith: 'mixed', notify: 'drop' });
      try {
        const first = await newMember();
        const second = await newMember();
        const orders = [await checkout(first.id, { amountFen: 700 }), await checkout(second.id, { amountFen: 800 })];
        await requestPayment(first.user, orders[0].payment!);
        await requestPayment(second.user, orders[1].payment!);
        const sent = await Promise.all(
          orders.map(async (o) => (await emulatorGet(`/dev/pay/notifications?out_trade_no=${o.order.outTradeNo}`)).notifications[0]),
        );
        // Drop mode records without sending; the resend signs them as settings say ('mixed': one serial each).
        // Our public-key-only server refuses the certificate one; a server in migration mode verifies both.
        const seen: string[] = [];
        for (const n of sent) {
          await emulatorPost('/dev/pay/notifications/resend', { id: n.id });
          const recorded = (await emulatorGet(`/dev/pay/notifications?out_trade_no=${n.outTradeNo}`)).notifications[0];
          seen.push(lower(recorded.headers)['wechatpay-serial']);
          const verified = await client.verifyNotification<{ out_trade_no: string }>(lower(recorded.headers), recorded.body);
          expect(verified.resource.out_trade_no).toBe(n.outTradeNo);
        }
        expect(new Set(seen)).toEqual(new Set([t.pay!.keys.platform.publicKeyId, t.pay!.keys.platform.certSerialNo]));
        // The refused one is found by the job's query.
        await reconcileAfter(t.config.payment.queryAfterSeconds + 1);
        for (const o of orders) expect((await orderOf(o.order.outTradeNo)).status).toBe('paid');
      } finally {
        await emulatorPost('/dev/pay/settings', { signWith: 'publicKey', notify: 'send' });
      }
    });
  });

  describe('2. closing orders', () => {
    it('does not ask WeChat to close within 5 minutes of creation: a member’s cancel is decided by query, holds back at once', async () => {
      const me = await newMember(600, true);
      const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 100 });
      const closes = await calls('pay_close');
      expect((await payments.cancel(me.id, created.order.outTradeNo)).status).toBe('closed');
      expect(await calls('pay_close')).toBe(closes);
      expect(await balanceOf(me.id)).toBe(600);
      expect(await couponStatus(me.couponId!)).toBe('available');
    });

    it('never closes on 202 USERPAYING: the member pays after expiry and the order completes instead of being flagged', async () => {
      const me = await newMember(1000, true);
      const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
      expect(await requestPayment(me.user, created.payment!, 'paying')).toEqual({ errMsg: 'requestPayment:paying' });
      expect((await reconcileAfter(t.config.payment.orderExpireMinutes * 60 + 1)).closed).toBe(0);
      expect((await orderOf(created.order.outTradeNo)).status).toBe('pending');
      // The member taps cancel in our app meanwhile: WeChat answers the close with 202, the order stays open.
      t.clock.advance(t.config.payment.closeNotBeforeSeconds + 1);
      try {
        expect((await payments.cancel(me.id, created.order.outTradeNo)).status).toBe('pending');
      } finally {
        backToRealTime();
      }
      expect(await balanceOf(me.id)).toBe(500);
      expect(await requestPayment(me.user, created.payment!)).toEqual({ errMsg: 'requestPayment:ok' });
      await waitFor('paid', async () => (await orderOf(created.order.outTradeNo)).status === PayOrderStatus.Paid);
      expect(await couponStatus(me.couponId!)).toBe('redeemed');
    });

    it('takes 400 ORDER_CLOSED as closed: the expired order closes here and the coupon and points come back', async () => {
      const me = await newMember(1000, true);
      const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
      await fault('pay_close', 'ORDER_CLOSED', 400);
      expect((await reconcileAfter(t.config.payment.orderExpireMinutes * 60 + 1)).closed).toBeGreaterThanOrEqual(1);
      expect((await orderOf(created.order.outTradeNo)).status).toBe('closed');
      expect(await balanceOf(me.id)).toBe(1000);
      expect(await couponStatus(me.couponId!)).toBe('available');
    });

    it('does not take 403 TRADE_ERROR as paid: it asks, and an order WeChat has closed is closed here too', async () => {
      const me = await newMember(1000, true);
      const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
      const no = created.order.outTradeNo;
      // Past the 5 minutes, closed at WeChat already (by another instance), then the close answers TRADE_ERROR.
      t.clock.advance(t.config.payment.closeNotBeforeSeconds + 1);
      try {
        await t.app.get(WechatPayClient).closeOrder(no);
        await fault('pay_close', 'TRADE_ERROR', 403);
        expect((await payments.cancel(me.id, no)).status).toBe('closed');
      } finally {
        backToRealTime();
      }
      expect(await balanceOf(me.id)).toBe(1000);
      expect(await couponStatus(me.couponId!)).toBe('available');
      // A TRADE_ERROR on an order still NOTPAY leaves it pending for the next run, not completed.
      const other = await newMember();
      const open = await checkout(other.id, { amountFen: 900 });
      await fault('pay_close', 'TRADE_ERROR', 403);
      const result = await reconcileAfter(t.config.payment.orderExpireMinutes * 60 + 1);
      expect(result.completed).toBe(0);
      expect((await orderOf(open.order.outTradeNo)).status).toBe('pending');
      expect((await reconcileAfter(t.config.payment.orderExpireMinutes * 60 + 1)).closed).toBeGreaterThanOrEqual(1);
      expect((await orderOf(open.order.outTradeNo)).status).toBe('closed');
      expect((await atWechat(open.order.outTradeNo)).trade_state).toBe('CLOSED');
    });
  });

  describe('3. authenticated decryption', () => {
    it('refuses a notification whose ciphertext was changed under a valid signature, and acts on nothing', async () => {
      const me = await newMember(1000, true);
      const created = await checkout(me.id, { amountFen: 10000 });
      const order = await orderOf(created.order.outTradeNo);
      const keys = t.pay!.keys;
      const plaintext = JSON.stringify(transactionFor(order));
      const { nonce, ciphertext } = aesGcmEncrypt(keys.apiV3Key, plaintext, 'transaction');
      // GCM is a stream cipher: flipping one ciphertext bit flips the same plaintext bit. 10000 becomes 90000.
      const bytes = Buffer.from(ciphertext, 'base64');
      bytes[Buffer.from(plaintext.slice(0, plaintext.indexOf('"total":10000') + 8)).length] ^= 0x08;
      const tampered = bytes.toString('base64');
      expect(() => decryptResource(keys.apiV3Key, { ciphertext: tampered, nonce, associated_data: 'transaction' })).toThrow();
      const body = transactionEvent({ id: 'EV-1', create_time: '2026-01-01T00:00:00+08:00' }, { ciphertext: tampered, nonce });
      const headers = lower(platformSignature(keys.platform.privateKeyPem, keys.platform.publicKeyId, body, Math.floor(Date.now() / 1000)));
      const response = await fetch(`${t.pay!.serverUrl}/api/pay/notify/transaction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'FAIL' });
      expect(await orderOf(order.outTradeNo)).toMatchObject({ status: 'pending', flagReason: null });
      await payments.cancel(me.id, order.outTradeNo);
    });
  });

  describe('3b. the downloaded certificate list', () => {
    it('is trusted only when signed by a certificate it contains, as the official SDKs check it', async () => {
      const keys = t.pay!.keys;
      let signWith = keys.merchant.privateKeyPem; // first: a list signed by someone else
      const server = createServer((_req, res) => {
        const { nonce, ciphertext } = aesGcmEncrypt(keys.apiV3Key, keys.platform.certPem, 'certificate');
        const body = JSON.stringify({
          data: [
            {
              serial_no: keys.platform.certSerialNo,
              effective_time: '2020-01-01T00:00:00+08:00',
              expire_time: '2099-01-01T00:00:00+08:00',
              encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext },
            },
          ],
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          ...platformSignature(signWith, keys.platform.certSerialNo, body, Math.floor(Date.now() / 1000)),
        });
        res.end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const clientFor = () =>
        new WechatPayClient(
          {
            ...t.config,
            wechat: { ...t.config.wechat, payApiBaseUrl: base },
            wechatPay: { ...t.config.wechatPay!, publicKeyId: null, publicKeyFile: null },
          },
          t.clock,
        );
      const { body } = notificationEnvelope(
        keys.apiV3Key,
        { eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext: { out_trade_no: 'X123456' } },
        Date.now(),
      );
      const headers = lower(
        platformSignature(keys.platform.certPrivateKeyPem, keys.platform.certSerialNo, body, Math.floor(Date.now() / 1000)),
      );
      try {
        await expect(clientFor().verifyNotification(headers, body)).rejects.toThrow(/unknown serial/);
        signWith = keys.platform.certPrivateKeyPem;
        await expect(clientFor().verifyNotification(headers, body)).resolves.toMatchObject({ resource: { out_trade_no: 'X123456' } });
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });

  describe('4. refunds by WeChat’s rules', () => {
    it('cuts reason to 80 UTF-8 bytes between characters: 30 Chinese characters refund instead of failing', async () => {
      const { no } = await paidByNewMember();
      const view = await payments.refund(
        no,
        { amountFen: 1000, outRefundNo: `R-${no}-why`, reason: '顾客对商品不满意要求退款，店长已核实同意办理退款手续谢谢' },
        'o-clerk',
      );
      expect(view.refunds[0].status).toBe('processing');
      const [sent] = (await emulatorGet(`/dev/pay/refunds?out_trade_no=${no}`)).refunds;
      expect(Buffer.byteLength(sent.reason)).toBeLessThanOrEqual(80);
      await waitFor('refund settled', async () => (await refundOf(`R-${no}-why`)).status === 'succeeded');
    });

    it('NOT_ENOUGH is the merchant’s balance: its own error, the refund kept and retried with the same number', async () => {
      const { no } = await paidByNewMember();
      await fault('pay_refund', 'NOT_ENOUGH', 403);
      expect(codeOf(await payments.refund(no, { amountFen: 2000, outRefundNo: `R-${no}-poor` }, 'o-clerk').catch((e) => e))).toBe(
        'PAY_REFUND_BALANCE_LOW',
      );
      expect((await refundOf(`R-${no}-poor`)).status).toBe('processing');
      expect((await orderOf(no)).refundCommittedFen).toBe(2000);
      await reconcileAfter(t.config.payment.queryAfterSeconds + 1);
      await waitFor('refund settled', async () => (await refundOf(`R-${no}-poor`)).status === 'succeeded');
      expect((await emulatorGet(`/dev/pay/refunds?out_trade_no=${no}`)).refunds.map((r: Json) => r.out_refund_no)).toEqual([
        `R-${no}-poor`,
      ]);
    });

    it('a second refund within WeChat’s minute (429 FREQUENCY_LIMITED) is kept and sent again later, not failed', async () => {
      const { no } = await paidByNewMember();
      await payments.refund(no, { amountFen: 1000, outRefundNo: `R-${no}-a` }, 'o-clerk');
      const second = await payments.refund(no, { amountFen: 1500, outRefundNo: `R-${no}-b` }, 'o-clerk');
      expect(second.refunds.map((r) => r.status)).toEqual(['processing', 'processing']);
      expect((await emulatorGet(`/dev/pay/refunds?out_trade_no=${no}`)).refunds).toHaveLength(1);
      await reconcileAfter(t.config.payment.queryAfterSeconds + 1, 61);
      await waitFor(
        'both settled',
        async () => (await refundOf(`R-${no}-b`)).status === 'succeeded' && (await refundOf(`R-${no}-a`)).status === 'succeeded',
      );
      expect((await orderOf(no)).refundedFen).toBe(2500);
    });

    it('retries a failed refund under its own number when the clerk sends it again', async () => {
      const { no } = await paidByNewMember();
      await fault('pay_refund', 'INVALID_REQUEST', 400);
      const request = { amountFen: 3000, outRefundNo: `R-${no}-again` };
      expect(codeOf(await payments.refund(no, request, 'o-clerk').catch((e) => e))).toBe('PAY_UNAVAILABLE');
      expect((await refundOf(request.outRefundNo)).status).toBe('failed');
      expect((await orderOf(no)).refundCommittedFen).toBe(0);
      const retried = await payments.refund(no, request, 'o-clerk');
      expect(retried.refunds).toEqual([expect.objectContaining({ outRefundNo: request.outRefundNo, status: 'processing' })]);
      await waitFor('refund settled', async () => (await refundOf(request.outRefundNo)).status === 'succeeded');
      expect((await orderOf(no)).refundedFen).toBe(3000);
    });

    it('asks again at once for an interrupted refund sent again with the same number', async () => {
      const { no } = await paidByNewMember();
      await fault('pay_refund', 'SYSTEM_ERROR', 503);
      const request = { amountFen: 4000, outRefundNo: `R-${no}-cut` };
      expect((await payments.refund(no, request, 'o-clerk')).refunds[0].status).toBe('processing');
      expect((await emulatorGet(`/dev/pay/refunds?out_trade_no=${no}`)).refunds).toHaveLength(0);
      await payments.refund(no, request, 'o-clerk');
      await waitFor('refund settled', async () => (await refundOf(request.outRefundNo)).status === 'succeeded');
    });
  });

  describe('6. checked by an independent implementation (wechatpay-axios-plugin)', () => {
    it('accepts a notification encrypted and signed by the library alone, and completes the order', async () => {
      const AesGcm = (Aes as unknown as typeof WechatpayAxiosPlugin.Aes).AesGcm;
      const me = await newMember();
      const created = await checkout(me.id, { amountFen: 6600 });
      const order = await orderOf(created.order.outTradeNo);
      const keys = t.pay!.keys;
      const plaintext = {
        appid: TEST_APP.appid,
        mchid: keys.mchid,
        out_trade_no: order.outTradeNo,
        transaction_id: `4200000${Date.now()}`,
        trade_type: 'JSAPI',
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        bank_type: 'OTHERS',
        attach: '',
        success_time: '2026-01-01T10:00:00+08:00',
        payer: { openid: order.openid },
        amount: { total: 6600, payer_total: 6600, currency: 'CNY', payer_currency: 'CNY' },
      };
      const nonce = Formatter.nonce(12);
      const body = transactionEvent(
        { id: 'EV-2026010110000012345678', create_time: '2026-01-01T10:00:01+08:00' },
        { ciphertext: AesGcm.encrypt(JSON.stringify(plaintext), keys.apiV3Key, nonce, 'transaction'), nonce },
      );
      const timestamp = String(Formatter.timestamp());
      const headerNonce = Formatter.nonce();
      const headers = {
        'content-type': 'application/json',
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': headerNonce,
        'wechatpay-serial': keys.platform.publicKeyId,
        'wechatpay-signature': Rsa.sign(
          Formatter.response(timestamp, headerNonce, body),
          Rsa.from(keys.platform.privateKeyPem, Rsa.KEY_TYPE_PRIVATE),
        ),
        'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      };
      const response = await fetch(`${t.pay!.serverUrl}/api/pay/notify/transaction`, { method: 'POST', headers, body });
      expect(response.status).toBe(204);
      expect(await orderOf(order.outTradeNo)).toMatchObject({ status: 'paid', transactionId: plaintext.transaction_id });
    });
  });

  describe('5. order texts and PARAM_ERROR', () => {
    it('cuts description to 127 UTF-8 bytes: a long Chinese description still orders', async () => {
      const original = t.config.payment.description;
      (t.config.payment as { description: string }).description = '悦享会员'.repeat(25); // 100 characters, 300 bytes
      try {
        const me = await newMember();
        const created = await checkout(me.id, { amountFen: 1200 });
        expect(created.payment).not.toBeNull();
        const description = (await atWechat(created.order.outTradeNo)).description as string;
        expect(Buffer.byteLength(description)).toBeLessThanOrEqual(127);
        expect(description.startsWith('悦享会员悦享会员')).toBe(true);
        await payments.cancel(me.id, created.order.outTradeNo);
      } finally {
        (t.config.payment as { description: string }).description = original;
      }
    });

    it('shows PARAM_ERROR as its own error, not as a wrong amount, and gives the holds back', async () => {
      const me = await newMember(1000, true);
      await fault('pay_jsapi', 'PARAM_ERROR', 400);
      const error = await payments
        .create(me.id, { amountFen: 30000, storeCode: 'S001', couponId: me.couponId!, pointsToBurn: 500, idempotencyKey: key() })
        .catch((e) => e);
      expect(codeOf(error)).toBe('PAY_PARAMS_REJECTED');
      expect(errorMessage('PAY_PARAMS_REJECTED')).not.toBe(errorMessage('PAY_AMOUNT_INVALID'));
      expect(await balanceOf(me.id)).toBe(1000);
      expect(await couponStatus(me.couponId!)).toBe('available');
    });
  });
});

/** A TRANSACTION.SUCCESS notification's body around a resource encrypted by the test itself. */
function transactionEvent(event: { id: string; create_time: string }, resource: { ciphertext: string; nonce: string }): string {
  return JSON.stringify({
    ...event,
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: resource.ciphertext,
      associated_data: 'transaction',
      nonce: resource.nonce,
    },
  });
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
