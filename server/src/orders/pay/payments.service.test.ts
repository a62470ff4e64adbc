import { PayOrderStatus } from '@member/shared';
import { createApp } from '../../bootstrap';
import { Purchase } from '../sale.entities';
import { dataSourceOptions, openDatabase } from '../../database/data-source';
import { TEST_DATABASES } from '../../testing/databases';
import { TEST_APP } from '../../testing/emulator';
import { freePort } from '../../testing/pay';
import type { TestApp } from '../../testing/test-app';
import { expectInvariants } from '../../testing/invariants';
import { codeOf, waitFor } from '../../testing/spec';
import { rsaSign } from '../../../../test/wechat-emulator/pay/crypto';
import { notificationEnvelope, platformSignature } from '../../../../test/wechat-emulator/pay/envelope';
import { PayOrder } from './pay-order.entity';
import type { PayServices } from './pay.testing';
import { paySpec } from '../../testing/pay-spec';

type Json = any;

describe.each(TEST_DATABASES)('WeChat Pay on %s', (kind) => {
  const pay = paySpec(kind, 'payer');
  const {
    key,
    emulatorGet,
    answeredPayNotifications,
    emulatorPost,
    newMember,
    balanceOf,
    couponStatus,
    orderOf,
    requestPayment,
    checkout,
    paidOrder,
    reconcileAfter,
    transactionFor,
  } = pay;
  let t: TestApp;
  let payments: PayServices;

  const purchasesOf = (outTradeNo: string) => t.db.dataSource.getRepository(Purchase).countBy({ idempotencyKey: outTradeNo });

  /** A notification as WeChat would send it, signed with the platform key, for tests of what must be refused. */
  function craftNotification(resource: object, options: { timestamp?: number; serial?: string; signature?: string } = {}) {
    const keys = t.pay!.keys;
    const { body } = notificationEnvelope(
      keys.apiV3Key,
      { eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext: resource },
      Date.now(),
    );
    const signed = platformSignature(
      keys.platform.privateKeyPem,
      options.serial ?? keys.platform.publicKeyId,
      body,
      options.timestamp ?? Math.floor(Date.now() / 1000),
    );
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v])),
    };
    if (options.signature) headers['wechatpay-signature'] = options.signature;
    return { headers, body };
  }

  const post = (url: string, notification: { headers: Record<string, string>; body: string }) =>
    fetch(url, { method: 'POST', headers: notification.headers, body: notification.body });

  beforeAll(async () => {
    // These tests send forged and mismatched notifications on purpose: the warnings they cause are expected.
    ({ t, payments } = await pay.start({ LOG_LEVEL: 'silent' }));
  });
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('charges what the server computes: ¥300 with a ¥20-off-¥200 coupon + 500 points is ¥275; the notification completes it', async () => {
    const me = await newMember(2000, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    expect(created.order).toMatchObject({
      status: 'pending',
      grossFen: 30000,
      couponDiscountFen: 2000,
      pointsBurned: 500,
      payableFen: 27500,
      couponName: '满200减20',
    });
    expect(created.payment).toMatchObject({ appId: TEST_APP.appid, signType: 'RSA', package: expect.stringMatching(/^prepay_id=/) });
    // Held while pending: the coupon is taken and the points are off the balance.
    expect(await couponStatus(me.couponId!)).toBe('redeemed');
    expect(await balanceOf(me.id)).toBe(1500);
    const atWechat = await emulatorGet(`/dev/pay/orders?out_trade_no=${created.order.outTradeNo}`);
    expect(JSON.stringify(atWechat)).toContain('27500');

    expect(await requestPayment(me.user, created.payment!)).toEqual({ errMsg: 'requestPayment:ok' });
    await waitFor('paid', async () => (await orderOf(created.order.outTradeNo)).status === PayOrderStatus.Paid);
    const view = (await payments.get(me.id, created.order.outTradeNo, false)).order;
    const earned = Math.floor((275 * view.purchase!.bonusPermille) / 1000);
    expect(view.purchase).toMatchObject({
      grossFen: 30000,
      couponDiscountFen: 2000,
      pointsBurned: 500,
      paidFen: 27500,
      pointsEarned: earned,
      member: { pointsBalance: 1500 + earned },
    });
    expect(await couponStatus(me.couponId!)).toBe('redeemed');
    // The member's points history names the app payment.
    const burn = await t.db.dataSource.query('SELECT purchase_id AS purchaseId FROM points_ledger WHERE source_key = ?', [
      `payorder:${created.order.outTradeNo}:burn`,
    ]);
    expect(Number(burn[0].purchaseId)).toBe(view.purchase!.id);
  });

  it('never trusts the client: a resent checkout answers the same order, and bad choices are refused before WeChat is asked', async () => {
    const me = await newMember(300, true);
    const request = { amountFen: 30000, storeCode: 'S001', idempotencyKey: key() };
    const [a, b] = await Promise.all([payments.create(me.id, request), payments.create(me.id, request)]);
    expect(a.order.outTradeNo).toBe(b.order.outTradeNo);
    expect(
      await codeOf(
        await payments
          .create(me.id, { amountFen: 15000, storeCode: 'S001', couponId: me.couponId!, idempotencyKey: key() })
          .catch((e) => e),
      ),
    ).toBe('COUPON_BELOW_THRESHOLD');
    expect(
      codeOf(
        await payments.create(me.id, { amountFen: 30000, storeCode: 'S001', pointsToBurn: 400, idempotencyKey: key() }).catch((e) => e),
      ),
    ).toBe('POINTS_INSUFFICIENT');
    expect(codeOf(await payments.create(me.id, { amountFen: 30000, storeCode: 'NOPE', idempotencyKey: key() }).catch((e) => e))).toBe(
      'PAY_STORE_UNKNOWN',
    );
    const other = await newMember(0, true);
    expect(
      codeOf(
        await payments
          .create(me.id, { amountFen: 30000, storeCode: 'S001', couponId: other.couponId!, idempotencyKey: key() })
          .catch((e) => e),
      ),
    ).toBe('COUPON_NOT_FOUND');
    expect(codeOf(await payments.get(other.id, a.order.outTradeNo, false).catch((e) => e))).toBe('PAY_ORDER_NOT_FOUND');
    expect(await balanceOf(me.id)).toBe(300);
    expect(await couponStatus(me.couponId!)).toBe('available');
  });

  it('calls WeChat only after its transaction commits: while WeChat is slow, the order, holds and refund are already visible', async () => {
    const me = await newMember(1000, true);
    await emulatorPost('/dev/faults', { endpoint: 'pay_jsapi', delayMs: 1500 });
    const creating = checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    // Read from another connection: on MariaDB an open transaction's rows would not be visible yet.
    const seen = await waitFor(
      'the committed order while WeChat has not answered',
      async () => (await t.db.dataSource.getRepository(PayOrder).findBy({ memberId: me.id }))[0],
    );
    expect(seen).toMatchObject({ status: 'pending', prepayId: null });
    expect(await balanceOf(me.id)).toBe(500);
    expect(await couponStatus(me.couponId!)).toBe('redeemed');
    const created = await creating;
    expect(created.payment).not.toBeNull();

    expect(await requestPayment(me.user, created.payment!)).toEqual({ errMsg: 'requestPayment:ok' });
    await waitFor('paid', async () => (await orderOf(created.order.outTradeNo)).status === PayOrderStatus.Paid);
    await emulatorPost('/dev/faults', { endpoint: 'pay_refund', delayMs: 1500 });
    const refunding = payments.refund(
      created.order.outTradeNo,
      { amountFen: 1000, outRefundNo: `R-${created.order.outTradeNo}-slow` },
      'o-clerk',
    );
    const reserved = await waitFor('the committed refund while WeChat has not answered', async () => {
      const order = await orderOf(created.order.outTradeNo);
      return order.refundCommittedFen === 1000 && order;
    });
    expect(reserved.refundedFen).toBe(0);
    expect((await emulatorGet(`/dev/pay/refunds?out_trade_no=${created.order.outTradeNo}`)).refunds).toHaveLength(0);
    await refunding;
  });

  it('completes exactly once: the same notification 20 times at once, then again to a restarted server', async () => {
    const me = await newMember(1000, true);
    const created = await paidOrder(me, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    const no = created.order.outTradeNo;
    const balanceAfterFirst = await balanceOf(me.id);
    const [sent] = await answeredPayNotifications(`out_trade_no=${no}`);
    expect(sent.delivered).toBe(true);
    const replay = { headers: sent.headers, body: sent.body };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(sent.url, replay)));
    expect(answers.map((r) => r.status).every((s) => s === 200 || s === 204)).toBe(true);

    // A second server instance with fresh memory on the same database, as after a restart.
    const port = await freePort();
    // MariaDB: a new connection pool, as a restarted process has. In-memory SQLite has one connection only,
    // so the restarted app shares it (without closing it when it stops).
    const dataSource = t.db.url
      ? await openDatabase(dataSourceOptions({ url: t.db.url, sqlitePath: '', poolSize: 5 }))
      : new Proxy(t.db.dataSource, {
          get: (target, prop) => (prop === 'destroy' ? async () => undefined : Reflect.get(target, prop, target)),
        });
    const again = await createApp({ config: t.config, clock: t.clock, dataSource });
    await again.listen(port, '127.0.0.1');
    try {
      const late = await post(`http://127.0.0.1:${port}/api/pay/notify/transaction`, replay);
      expect([200, 204]).toContain(late.status);
    } finally {
      await again.close().catch(() => undefined);
    }
    expect(await purchasesOf(no)).toBe(1);
    expect(await balanceOf(me.id)).toBe(balanceAfterFirst);
    const earns = await t.db.dataSource.query("SELECT COUNT(*) AS n FROM points_ledger WHERE member_id = ? AND reason = 'earn'", [me.id]);
    expect(Number(earns[0].n)).toBe(2); // the seed and this purchase
  });

  it('refuses forged, probing, stale and tampered notifications with 4xx and changes nothing', async () => {
    const me = await newMember(0, false);
    const created = await checkout(me.id, { amountFen: 10000 });
    const order = await orderOf(created.order.outTradeNo);
    const url = `${t.pay!.serverUrl}/api/pay/notify/transaction`;
    const good = craftNotification(transactionFor(order));
    const cases = {
      'bad signature': {
        ...good,
        headers: { ...good.headers, 'wechatpay-signature': rsaSign(t.pay!.keys.merchant.privateKeyPem, 'forged') },
      },
      'unknown serial': { ...good, headers: { ...good.headers, 'wechatpay-serial': 'PUB_KEY_ID_0000000000000000000000NOPE' } },
      'signature probe': {
        ...good,
        headers: { ...good.headers, 'wechatpay-signature': `WECHATPAY/SIGNTEST/${good.headers['wechatpay-signature']}` },
      },
      'stale timestamp': craftNotification(transactionFor(order), { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      'tampered body': { ...good, body: good.body.replace('"summary":"支付成功"', '"summary":"支付成功 "') },
      'no headers': { headers: { 'content-type': 'application/json' }, body: good.body },
    };
    for (const [name, notification] of Object.entries(cases)) {
      const response = await post(url, notification);
      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect(await response.json()).toMatchObject({ code: 'FAIL' });
    }
    expect((await orderOf(order.outTradeNo)).status).toBe('pending');
    expect(await purchasesOf(order.outTradeNo)).toBe(0);
    // The genuine one goes through.
    const response = await post(url, good);
    expect(response.status).toBe(204);
    expect((await orderOf(order.outTradeNo)).status).toBe('paid');
  });

  it('flags a payment whose amount does not match the order, grants nothing and gives the holds back', async () => {
    const me = await newMember(1000, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    const order = await orderOf(created.order.outTradeNo);
    const response = await post(
      `${t.pay!.serverUrl}/api/pay/notify/transaction`,
      craftNotification(transactionFor(order, { amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } })),
    );
    expect(response.status).toBe(204);
    const after = await orderOf(order.outTradeNo);
    expect(after).toMatchObject({ status: 'flagged', flagReason: expect.stringContaining('amount 1 fen') });
    expect(await purchasesOf(order.outTradeNo)).toBe(0);
    expect(await balanceOf(me.id)).toBe(1000);
    expect(await couponStatus(me.couponId!)).toBe('available');
  });

  it('recovers a missed notification by querying the order', async () => {
    const me = await newMember(0, false);
    await emulatorPost('/dev/pay/settings', { notify: 'drop' });
    try {
      const created = await payments.create(me.id, { amountFen: 8800, storeCode: 'S002', idempotencyKey: key() });
      expect(await requestPayment(me.user, created.payment!)).toEqual({ errMsg: 'requestPayment:ok' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await orderOf(created.order.outTradeNo)).status).toBe('pending');
      // Too young to query yet; once it is, the job finds it paid.
      expect((await reconcileAfter(t.config.payment.queryAfterSeconds + 1)).completed).toBeGreaterThanOrEqual(1);
      expect((await orderOf(created.order.outTradeNo)).status).toBe('paid');
      expect(await purchasesOf(created.order.outTradeNo)).toBe(1);
    } finally {
      await emulatorPost('/dev/pay/settings', { notify: 'send' });
    }
  });

  it('closes an order left unpaid past its expiry, at WeChat too, and gives back the coupon and points', async () => {
    const me = await newMember(1000, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    expect(await balanceOf(me.id)).toBe(500);
    expect((await reconcileAfter(t.config.payment.orderExpireMinutes * 60 + 1)).closed).toBeGreaterThanOrEqual(1);
    expect((await orderOf(created.order.outTradeNo)).status).toBe('closed');
    expect(await balanceOf(me.id)).toBe(1000);
    expect(await couponStatus(me.couponId!)).toBe('available');
    expect(JSON.stringify(await emulatorGet(`/dev/pay/orders?out_trade_no=${created.order.outTradeNo}`))).toContain('CLOSED');
    // The member can no longer pay it.
    expect((await requestPayment(me.user, created.payment!)).errMsg).toMatch(/^requestPayment:fail/);
    expect((await payments.get(me.id, created.order.outTradeNo, false)).payment).toBeNull();
  });

  it('lets the member cancel: the order closes and the coupon and points come back at once', async () => {
    const me = await newMember(600, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 100 });
    expect(await requestPayment(me.user, created.payment!, 'cancel')).toEqual({ errMsg: 'requestPayment:fail cancel' });
    expect((await payments.cancel(me.id, created.order.outTradeNo)).status).toBe('closed');
    expect(await balanceOf(me.id)).toBe(600);
    expect(await couponStatus(me.couponId!)).toBe('available');
  });

  it('refunds through WeChat: half, then the rest; the same refund number refunds once; never more than paid', async () => {
    const me = await newMember(1000, true);
    const created = await paidOrder(me, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    const no = created.order.outTradeNo;
    const paid = (await payments.get(me.id, no, false)).order;
    const earned = paid.purchase!.pointsEarned;
    const balancePaid = await balanceOf(me.id);

    const half = await payments.refund(no, { amountFen: 13750, outRefundNo: `R-${no}-1` }, 'o-clerk');
    expect(half.refunds).toEqual([expect.objectContaining({ outRefundNo: `R-${no}-1`, amountFen: 13750 })]);
    const again = await payments.refund(no, { amountFen: 13750, outRefundNo: `R-${no}-1` }, 'o-clerk');
    expect(again.refunds).toHaveLength(1);
    expect(codeOf(await payments.refund(no, { amountFen: 100, outRefundNo: `R-${no}-1` }, 'o-clerk').catch((e) => e))).toBe(
      'PAY_REFUND_NO_REUSED',
    );
    const settled = await waitFor('the refund notification', async () => {
      const view = (await payments.get(me.id, no, false)).order;
      return view.refunds[0].status === 'succeeded' && view;
    });
    expect(settled.refundedFen).toBe(13750);
    expect(settled.refunds[0]).toMatchObject({ pointsClawed: Math.floor(earned / 2), pointsRestored: 250, couponRestored: false });
    expect(await balanceOf(me.id)).toBe(balancePaid - Math.floor(earned / 2) + 250);

    // Concurrent refunds of what is left: admitted only up to what was paid. This test is about amounts, so
    // WeChat's minute between refunds of one order is waived here (payments.wechat-rules.test.ts covers it).
    await emulatorPost('/dev/pay/settings', { refundSpacingMs: 0 });
    const tries = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => payments.refund(no, { amountFen: 5000, outRefundNo: `R-${no}-c${i}` }, 'o-clerk')),
    );
    const admitted = tries.filter((r) => r.status === 'fulfilled').length;
    expect(admitted).toBe(2); // 13,750 left: two of ¥50, not three
    expect(tries.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason))).toEqual(
      Array(4).fill('REFUND_EXCEEDS_PAID'),
    );
    const rest = 27500 - 13750 - 2 * 5000;
    await payments.refund(no, { amountFen: rest, outRefundNo: `R-${no}-last` }, 'o-clerk');
    const full = await waitFor('all refunds settled', async () => {
      const view = (await payments.get(me.id, no, false)).order;
      return view.refunds.every((r) => r.status === 'succeeded') && view;
    });
    expect(full.refundedFen).toBe(27500);
    expect(full.refunds.some((r) => r.couponRestored)).toBe(true);
    expect(await couponStatus(me.couponId!)).toBe('available');
    expect(await balanceOf(me.id)).toBe(1000); // every earned point back out, every burned point back in
    const atWechat = await emulatorGet(`/dev/pay/refunds?out_trade_no=${no}`);
    const wechatTotal = (atWechat.refunds as Json[]).reduce((sum, r) => sum + (r.amount?.refund ?? 0), 0);
    expect(wechatTotal).toBe(27500);
    await emulatorPost('/dev/pay/settings', { refundSpacingMs: 60_000 });
  });
});
