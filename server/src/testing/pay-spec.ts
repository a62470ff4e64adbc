// Shared set-up of the WeChat Pay service tests (server/src/orders/pay/*.test.ts).
import { PayOrderStatus, type CreatePayOrderRequest, type RequestPaymentParams } from '@member/shared';
import { ClaimService } from '../coupons/claim.service';
import { Coupon } from '../coupons/coupon.entity';
import { TemplatesService } from '../coupons/templates.service';
import { TransactionRunner } from '../database/transaction-runner';
import { Member } from '../members/member.entity';
import { PayOrder } from '../orders/pay/pay-order.entity';
import { payServices, type PayServices } from '../orders/pay/pay.testing';
import { PointsLedger } from '../points/points-ledger';
import { successfulTransaction } from '../../../test/wechat-emulator/pay/envelope';
import { templateRequest } from './coupon-fixtures';
import type { TestDatabaseKind } from './databases';
import { openidFor, TEST_APP } from './emulator';
import { emulatorDev } from './emulator-dev';
import { keyMaker, suiteState, waitFor } from './spec';
import { startTestApp, type TestApp } from './test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a test asks of a checkout; the store defaults to S001 and every call gets a fresh idempotency key. */
export type CheckoutRequest = Partial<Omit<CreatePayOrderRequest, 'couponId' | 'idempotencyKey'>> & {
  amountFen: number;
  couponId?: number | null;
};

/**
 * What every WeChat Pay service test needs around its app (one copy instead of one per test file): the app with
 * Pay on and a coupon template, the emulator's dev API, a joined member with points and a coupon, reads of
 * balances, coupons and orders, the member's cashier, a paid order, and the reconcile job run later in time.
 * Call it in the describe block: it closes the app after the suite. Tests keep their own expectations; these
 * helpers only build state and read it.
 */
export function paySpec(kind: TestDatabaseKind, name: string) {
  const suite = suiteState<{ t: TestApp; payments: PayServices; templateId: number }>('paySpec');
  const app = suite.get;
  let userSeq = 0;
  const key = keyMaker(`${name}-key`);

  /** The app with WeChat Pay on, its pay use cases, and a 满200减20 template (stock 1,000) members get coupons of. */
  async function start(env: Record<string, string> = {}): Promise<{ t: TestApp; payments: PayServices }> {
    const t = await startTestApp(kind, env, { pay: true });
    const templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 1000 }))).id;
    return suite.set({ t, payments: payServices(t.app), templateId });
  }

  const { emulatorGet, emulatorPost, answeredPayNotifications } = emulatorDev(() => app().t.emulator.url);

  /** A joined member whose openid is the emulator user's, with `points` to spend and, if asked, a coupon of the suite's template. */
  async function newMember(points = 0, withCoupon = false): Promise<{ id: number; user: string; couponId: number | null }> {
    const { t, templateId } = app();
    const user = `${name}-${kind}-${++userSeq}`;
    const joinedAt = new Date(t.clock.now().getTime() - 86_400_000);
    const inserted = await t.db.dataSource
      .getRepository(Member)
      .insert({ openid: openidFor(TEST_APP.appid, user), joinedAt, privacyAcceptedAt: joinedAt, privacyPolicyVersion: 'test' });
    const id = Number(inserted.identifiers[0].id);
    if (points > 0) {
      await t.app.get(TransactionRunner).run((em) =>
        t.app.get(PointsLedger).credit(em, {
          memberId: id,
          points,
          reason: 'earn',
          sourceKey: `seed:${id}`,
          now: t.clock.now(),
          expiresAt: new Date(t.clock.now().getTime() + 200 * 86_400_000),
        }),
      );
    }
    const couponId = withCoupon ? (await t.app.get(ClaimService).claim(id, templateId, key())).id : null;
    return { id, user, couponId };
  }

  const orderOf = (outTradeNo: string) => app().t.db.dataSource.getRepository(PayOrder).findOneByOrFail({ outTradeNo });
  /** What the member's WeChat does with the server's parameters (the emulator's cashier). */
  const requestPayment = (user: string, params: RequestPaymentParams, decision: 'pay' | 'cancel' | 'paying' = 'pay') =>
    emulatorPost('/dev/pay/request-payment', { appid: TEST_APP.appid, user, ...params, decision });
  /** The member's checkout at S001 unless the request names a store, under a fresh idempotency key. */
  const checkout = (memberId: number, request: CheckoutRequest) =>
    app().payments.create(memberId, { storeCode: 'S001', ...request, couponId: request.couponId ?? undefined, idempotencyKey: key() });

  /** A checkout the member pays in the cashier, once WeChat's notification has completed it. */
  async function paidOrder(member: { id: number; user: string }, request: CheckoutRequest) {
    const created = await checkout(member.id, request);
    expect(await requestPayment(member.user, created.payment as RequestPaymentParams)).toEqual({ errMsg: 'requestPayment:ok' });
    await waitFor('the payment notification', async () => (await orderOf(created.order.outTradeNo)).status === PayOrderStatus.Paid);
    return created;
  }

  /** Puts our clock back on real time (with Pay on, the emulator keeps real time: WeChat refuses stale requests). */
  const backToRealTime = () => app().t.clock.set(new Date(Math.floor(Date.now() / 1000) * 1000));

  /** Moves our clock (and, with `wechatSeconds`, WeChat's) forward, runs the reconcile job, then puts our clock back. */
  async function reconcileAfter(seconds: number, wechatSeconds = 0) {
    if (wechatSeconds) await emulatorPost('/dev/clock', { advanceSeconds: wechatSeconds });
    app().t.clock.advance(seconds);
    try {
      return await app().payments.reconcile();
    } finally {
      backToRealTime();
    }
  }

  /** A successful payment of `order` as WeChat's notification describes it, with any field overridden. */
  const transactionFor = (order: PayOrder, overrides: Json = {}) => ({
    ...successfulTransaction({
      appid: TEST_APP.appid,
      mchid: app().t.pay!.keys.mchid,
      outTradeNo: order.outTradeNo,
      openid: order.openid,
      totalFen: order.payableFen,
      nowMs: Date.now(),
      transactionId: `42000${Date.now()}`,
    }),
    ...overrides,
  });

  return {
    start,
    key,
    emulatorGet,
    answeredPayNotifications,
    emulatorPost,
    newMember,
    balanceOf: async (memberId: number) =>
      (await app().t.db.dataSource.getRepository(Member).findOneByOrFail({ id: memberId })).pointsBalance,
    couponStatus: async (couponId: number) => (await app().t.db.dataSource.getRepository(Coupon).findOneByOrFail({ id: couponId })).status,
    orderOf,
    requestPayment,
    checkout,
    paidOrder,
    backToRealTime,
    reconcileAfter,
    transactionFor,
  };
}
