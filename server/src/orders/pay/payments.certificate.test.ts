// Merchants registered before 2024 have no WeChat Pay public key: WeChat signs with a platform certificate the
// server must download (encrypted with the APIv3 key) from /v3/certificates. The same flow must work there.
import { PayOrderStatus } from '@member/shared';
import { Member } from '../../members/member.entity';
import { TEST_DATABASES } from '../../testing/databases';
import { openidFor, TEST_APP } from '../../testing/emulator';
import { startTestApp, type TestApp } from '../../testing/test-app';
import { expectInvariants } from '../../testing/invariants';
import { PayOrder } from './pay-order.entity';
import { payServices } from './pay.testing';
import { emulatorDev } from '../../testing/emulator-dev';
import { rsaSign } from '../../../../test/wechat-emulator/pay/crypto';

describe.each(TEST_DATABASES)('WeChat Pay with platform certificates on %s', (kind) => {
  let t: TestApp;
  const { emulatorPost, answeredPayNotifications } = emulatorDev(() => t.emulator.url);

  beforeAll(async () => {
    t = await startTestApp(kind, { LOG_LEVEL: 'silent' }, { pay: { certificateOnly: true } }); // it forges a notification on purpose
    await emulatorPost('/dev/pay/settings', { signWith: 'certificate' });
  });
  afterAll(() => t?.close());
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('verifies answers and notifications with the downloaded certificate, and completes the payment', async () => {
    const user = `cert-payer-${kind}`;
    const joinedAt = new Date(t.clock.now().getTime() - 86_400_000);
    const inserted = await t.db.dataSource
      .getRepository(Member)
      .insert({ openid: openidFor(TEST_APP.appid, user), joinedAt, privacyAcceptedAt: joinedAt, privacyPolicyVersion: 'test' });
    const memberId = Number(inserted.identifiers[0].id);

    const created = await payServices(t.app).create(memberId, { amountFen: 12300, storeCode: 'S003', idempotencyKey: `cert-${kind}` });
    expect(created.payment).not.toBeNull();
    expect(await emulatorPost('/dev/pay/request-payment', { user, ...created.payment })).toEqual({ errMsg: 'requestPayment:ok' });

    const until = Date.now() + 8000;
    let order = await t.db.dataSource.getRepository(PayOrder).findOneByOrFail({ outTradeNo: created.order.outTradeNo });
    while (order.status !== PayOrderStatus.Paid && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      order = await t.db.dataSource.getRepository(PayOrder).findOneByOrFail({ outTradeNo: created.order.outTradeNo });
    }
    expect(order.status).toBe(PayOrderStatus.Paid);
    const [notification] = await answeredPayNotifications(`out_trade_no=${created.order.outTradeNo}`);
    expect(notification.headers['Wechatpay-Serial'] ?? notification.headers['wechatpay-serial']).toBe(t.pay!.keys.platform.certSerialNo);
    expect(notification.delivered).toBe(true);

    // The same notification re-signed by someone else under the certificate's serial is refused.
    const headers = Object.fromEntries(
      Object.entries(notification.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const forged = {
      ...headers,
      'wechatpay-signature': rsaSign(
        t.pay!.keys.merchant.privateKeyPem,
        `${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n${notification.body}\n`,
      ),
    };
    const refused = await fetch(notification.url, { method: 'POST', headers: forged, body: notification.body });
    expect(refused.status).toBe(400);
    const genuine = await fetch(notification.url, { method: 'POST', headers, body: notification.body });
    expect([200, 204]).toContain(genuine.status);
  });
});
