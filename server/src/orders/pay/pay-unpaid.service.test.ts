// Issue 16: the member's unpaid order survives a reload (pending), is paid again (resume) or cancelled; the pairs
// that race a cancel (a payment notification, the expiry job, a second cancel) give the holds back exactly once;
// a held coupon is 已锁定 (held), not used; 我的订单 lists app and till orders with refunds, newest first, paged.
import { PayOrderStatus } from '@member/shared';
import { WalletService } from '../../coupons/wallet.service';
import { TemplatesService } from '../../coupons/templates.service';
import { issueMemberCode } from '../../members/member-code';
import { TEST_DATABASES } from '../../testing/databases';
import { expectInvariants } from '../../testing/invariants';
import { paySpec } from '../../testing/pay-spec';
import { codeOf, waitFor } from '../../testing/spec';
import type { TestApp } from '../../testing/test-app';
import { MyOrdersService } from '../my-orders.service';
import { PurchasesService } from '../purchases.service';
import { AccountDeletionService } from '../../members/account-deletion.service';
import { PayCheckoutService } from './pay-checkout.service';
import { PayOrder } from './pay-order.entity';
import { PayCompletionService } from './pay-completion.service';
import { WechatPayClient } from './wechat-pay.client';
import { TransactionRunner } from '../../database/transaction-runner';
import { PointsLedger } from '../../points/points-ledger';
import { PointsLedgerLine, PointsLot } from '../../points/points.entities';
import { PayUnpaidOrders } from './pay-unpaid.service';
import type { PayServices } from './pay.testing';

describe.each(TEST_DATABASES)('unpaid orders and 我的订单 on %s', (kind) => {
  const pay = paySpec(kind, 'unpaid');
  const { key, emulatorGet, newMember, balanceOf, couponStatus, orderOf, requestPayment, checkout, paidOrder } = pay;
  let t: TestApp;
  let payments: PayServices;
  let unpaid: PayUnpaidOrders;
  let wallet: WalletService;
  let myOrders: MyOrdersService;

  const calls = async (endpoint: string): Promise<number> => (await emulatorGet('/dev/stats'))[endpoint] ?? 0;
  const restoreLines = async (outTradeNo: string) =>
    Number(
      (await t.db.dataSource.query('SELECT COUNT(*) AS n FROM points_ledger WHERE source_key = ?', [`payorder:${outTradeNo}:release`]))[0]
        .n,
    );

  beforeAll(async () => {
    ({ t, payments } = await pay.start({ LOG_LEVEL: 'silent' }));
    unpaid = t.app.get(PayUnpaidOrders);
    wallet = t.app.get(WalletService);
    myOrders = t.app.get(MyOrdersService);
  });
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  it('finds the unpaid order again after a reload and resumes it with the same prepay; the held coupon is 已锁定 meanwhile', async () => {
    const me = await newMember(1000, true);
    expect((await unpaid.pending(me.id)).order).toBeNull();
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    expect(await requestPayment(me.user, created.payment!, 'cancel')).toEqual({ errMsg: 'requestPayment:fail cancel' });

    const found = await unpaid.pending(me.id);
    expect(found.order).toMatchObject({ outTradeNo: created.order.outTradeNo, status: 'pending', payableFen: 27500 });
    // Held, not used: its own tab, status held, no use time; the used tab and count leave it out.
    const held = await wallet.wallet(me.id, 'held');
    expect(held.coupons).toEqual([expect.objectContaining({ id: me.couponId, status: 'held', redeemedAt: null })]);
    expect(held.counts).toMatchObject({ usable: 0, held: 1, used: 0 });
    expect((await wallet.wallet(me.id, 'used')).coupons).toEqual([]);
    expect(await wallet.detail(me.id, me.couponId!)).toMatchObject({ status: 'held', redeemedAt: null });
    const template = (await t.app.get(TemplatesService).list()).find((v) => v.name === '满200减20')!;
    expect(template.heldCount).toBeGreaterThanOrEqual(1);

    const jsapi = await calls('pay_jsapi');
    const resumed = await unpaid.resume(me.id, created.order.outTradeNo);
    expect(await calls('pay_jsapi')).toBe(jsapi); // within WeChat's 2 h: the same prepay_id, freshly signed
    expect(resumed.payment?.package).toBe(created.payment!.package);
    expect(await requestPayment(me.user, resumed.payment!)).toEqual({ errMsg: 'requestPayment:ok' });
    await waitFor('paid', async () => (await orderOf(created.order.outTradeNo)).status === PayOrderStatus.Paid);
    expect((await unpaid.pending(me.id)).order).toBeNull();
    expect(await wallet.detail(me.id, me.couponId!)).toMatchObject({ status: 'redeemed', redeemedAt: expect.any(String) });
    expect((await wallet.wallet(me.id, 'used')).counts).toMatchObject({ held: 0, used: 1 });
    // A paid order resumed again answers as it stands: no payment to make.
    expect((await unpaid.resume(me.id, created.order.outTradeNo)).payment).toBeNull();
  });

  it('asks WeChat again for a prepay older than 2 hours, with the same parameters (WeChat answers the same order)', async () => {
    const me = await newMember();
    const created = await checkout(me.id, { amountFen: 1200 });
    await t.db.dataSource
      .getRepository(PayOrder)
      .update({ outTradeNo: created.order.outTradeNo }, { prepayAt: new Date(Date.now() - 2 * 3600_000) });
    const jsapi = await calls('pay_jsapi');
    const resumed = await unpaid.resume(me.id, created.order.outTradeNo);
    expect(await calls('pay_jsapi')).toBe(jsapi + 1);
    expect(resumed.payment).not.toBeNull();
    expect((await orderOf(created.order.outTradeNo)).prepayAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await requestPayment(me.user, resumed.payment!)).toEqual({ errMsg: 'requestPayment:ok' });
    await waitFor('paid', async () => (await orderOf(created.order.outTradeNo)).status === PayOrderStatus.Paid);
    // Another member's order is not found, and cannot be resumed or cancelled.
    const other = await newMember();
    expect(codeOf(await unpaid.resume(other.id, created.order.outTradeNo).catch((e) => e))).toBe('PAY_ORDER_NOT_FOUND');
    expect(codeOf(await payments.cancel(other.id, created.order.outTradeNo).catch((e) => e))).toBe('PAY_ORDER_NOT_FOUND');
  });

  it('cancel twice at once: closed once, the coupon and points back once; the coupon is usable again', async () => {
    const me = await newMember(1000, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    const no = created.order.outTradeNo;
    const both = await Promise.all([payments.cancel(me.id, no), payments.cancel(me.id, no)]);
    expect(both.map((o) => o.status)).toEqual(['closed', 'closed']);
    expect(await restoreLines(no)).toBe(1);
    expect(await balanceOf(me.id)).toBe(1000);
    expect(await couponStatus(me.couponId!)).toBe('available');
    expect((await wallet.wallet(me.id, 'usable')).coupons.map((c) => c.id)).toEqual([me.couponId]);
    expect((await unpaid.pending(me.id)).order).toBeNull();
    // A closed order resumed: nothing to pay.
    expect((await unpaid.resume(me.id, no)).payment).toBeNull();
  });

  it('cancel against the expiry job: whichever closes, the holds come back once and WeChat has the order closed', async () => {
    const me = await newMember(1000, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    const no = created.order.outTradeNo;
    // Past the 5 minutes and the expiry: the job and the member both close it, at WeChat too.
    t.clock.advance(t.config.payment.orderExpireMinutes * 60 + 1);
    try {
      await Promise.all([payments.reconcile(), payments.cancel(me.id, no)]);
    } finally {
      pay.backToRealTime();
    }
    expect((await orderOf(no)).status).toBe('closed');
    expect(await restoreLines(no)).toBe(1);
    expect(await balanceOf(me.id)).toBe(1000);
    expect(await couponStatus(me.couponId!)).toBe('available');
    expect((await emulatorGet(`/dev/pay/orders?out_trade_no=${no}`)).orders[0].trade_state).toBe('CLOSED');
  });

  it('cancel against a payment landing: paid (the cancel gives nothing back) or closed and a late payment flagged', async () => {
    const me = await newMember(1000, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    const no = created.order.outTradeNo;
    const [paid, cancelled] = await Promise.all([requestPayment(me.user, created.payment!), payments.cancel(me.id, no)]);
    expect(paid.errMsg).toBeDefined();
    await waitFor('the notification handled', async () => {
      const order = await orderOf(no);
      return order.status !== PayOrderStatus.Pending && (paid.errMsg !== 'requestPayment:ok' || order.status !== PayOrderStatus.Closed);
    });
    const order = await orderOf(no);
    if (order.status === PayOrderStatus.Paid) {
      // The payment won: the cancel answered the order as paid and gave nothing back.
      expect(['paid', 'pending']).toContain(cancelled.status);
      expect(await restoreLines(no)).toBe(0);
      expect(await couponStatus(me.couponId!)).toBe('redeemed');
      expect(await balanceOf(me.id)).toBeGreaterThanOrEqual(500);
    } else {
      // The cancel won: the holds came back once; a payment WeChat took anyway is flagged for a refund, granting nothing.
      expect([PayOrderStatus.Closed, PayOrderStatus.Flagged]).toContain(order.status);
      expect(await restoreLines(no)).toBe(1);
      expect(await balanceOf(me.id)).toBe(1000);
      expect(await couponStatus(me.couponId!)).toBe('available');
    }
    const purchases = Number((await t.db.dataSource.query('SELECT COUNT(*) AS n FROM purchase WHERE idempotency_key = ?', [no]))[0].n);
    expect(purchases).toBe(order.status === PayOrderStatus.Paid ? 1 : 0);
  });

  it('lists app and till orders with their refunds, newest first, in pages that never repeat or skip', async () => {
    const me = await newMember(0, false);
    const purchases = t.app.get(PurchasesService);
    const code = () => issueMemberCode({ secret: t.config.security.memberCodeSecret, ...t.config.memberCode }, me.id, t.clock.now()).code;
    const till = await purchases.record({ memberCode: code(), amountFen: 8800, storeCode: 'S001', idempotencyKey: key() }, 'o-clerk');
    await purchases.refund(till.id, { amountFen: 3000, refundNo: key() }, 'o-clerk');
    const app = await paidOrder(me, { amountFen: 4500 });
    const open = await checkout(me.id, { amountFen: 1500 });
    // Enough orders for three pages, recorded within the same second or two (ties broken by kind, then id).
    const size = t.config.payment.myOrdersPageSize;
    for (let i = 0; i < size + 3; i++)
      await purchases.record({ memberCode: code(), amountFen: 100 + i, storeCode: 'S001', idempotencyKey: key() }, 'o-clerk');

    const seen: string[] = [];
    let cursor: string | undefined;
    let first = true;
    do {
      const page = await myOrders.list(me.id, cursor);
      if (first) expect(page.orders).toHaveLength(size);
      first = false;
      seen.push(...page.orders.map((o) => o.ref));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(size + 3 + 3);

    const all = (await Promise.all(seen.map((ref) => myOrders.detail(me.id, ref)))).map((o) => o);
    const times = all.map((o) => Date.parse(o.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.find((o) => o.ref === `S${till.id}`)).toMatchObject({
      kind: 'in-store',
      storeName: expect.any(String),
      grossFen: 8800,
      paidFen: 8800,
      refundedFen: 3000,
      status: 'paid',
      refunds: [{ amountFen: 3000, status: 'succeeded', at: expect.any(String) }],
    });
    expect(all.find((o) => o.ref === `A${app.order.outTradeNo}`)).toMatchObject({ kind: 'app', status: 'paid', paidFen: 4500 });
    expect(all.find((o) => o.ref === `A${open.order.outTradeNo}`)).toMatchObject({
      kind: 'app',
      status: 'pending',
      expiresAt: expect.any(String),
    });
    // The app order's settlement (a purchase by WeChat Pay) is not listed twice.
    expect(seen.filter((ref) => ref.startsWith('S'))).toHaveLength(size + 3 + 1);
    // Another member sees none of them.
    const other = await newMember();
    expect((await myOrders.list(other.id)).orders).toEqual([]);
    expect(codeOf(await myOrders.detail(other.id, `S${till.id}`).catch((e) => e))).toBe('PAY_ORDER_NOT_FOUND');
    await payments.cancel(me.id, open.order.outTradeNo);
  });

  it('an account deleted while its checkout was being priced: the checkout is refused and nothing is held', async () => {
    // Deletion refuses while an order is pending; checkout must refuse once the account is gone, or an order
    // holding points and a coupon would be left on an anonymised member who can no longer see or cancel it.
    const me = await newMember(1000, true);
    const members = PayCheckoutService.prototype as unknown as { joinedMember(id: number): Promise<unknown> };
    const original = members.joinedMember;
    const spy = jest.spyOn(members, 'joinedMember').mockImplementation(async function (this: unknown, id: number) {
      const member = await original.call(this, id);
      await t.app.get(AccountDeletionService).deleteAccount(id);
      return member;
    });
    try {
      const refusal = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 }).catch((e) => e);
      expect(codeOf(refusal)).toBe('SESSION_REVOKED');
    } finally {
      spy.mockRestore();
    }
    expect(await t.db.dataSource.getRepository(PayOrder).countBy({ memberId: me.id })).toBe(0);
    expect(await balanceOf(me.id)).toBe(1000);
    expect(await couponStatus(me.couponId!)).toBe('available');
  });

  it('a cancelled order gives its burned points back with the expiry each part had', async () => {
    const me = await newMember(100); // 100 points expiring in 200 days
    const later = new Date(t.clock.now().getTime() + 600 * 86_400_000);
    await t.app
      .get(TransactionRunner)
      .run((em) =>
        t.app
          .get(PointsLedger)
          .credit(em, { memberId: me.id, points: 1000, reason: 'earn', sourceKey: `later:${me.id}`, now: t.clock.now(), expiresAt: later }),
      );
    const sooner = (await t.db.dataSource.getRepository(PointsLot).findOneByOrFail({ memberId: me.id, points: 100 })).expiresAt;
    const created = await checkout(me.id, { amountFen: 30000, pointsToBurn: 1000 }); // 100 of the sooner, 900 of the later
    await payments.cancel(me.id, created.order.outTradeNo);
    const release = await t.db.dataSource
      .getRepository(PointsLedgerLine)
      .findOneByOrFail({ sourceKey: `payorder:${created.order.outTradeNo}:release` });
    const lots = await t.db.dataSource.getRepository(PointsLot).find({ where: { ledgerId: release.id }, order: { expiresAt: 'ASC' } });
    expect(lots.map((lot) => [lot.expiresAt.getTime(), lot.points])).toEqual([
      [sooner.getTime(), 100],
      [later.getTime(), 900],
    ]);
    expect(await balanceOf(me.id)).toBe(1100);
  });

  it('an order the reconcile job closed while its prepay was asked for gets no payment parameters', async () => {
    const me = await newMember(1000);
    const client = WechatPayClient.prototype as unknown as { prepay(...args: unknown[]): Promise<unknown> };
    const original = client.prepay;
    const spy = jest.spyOn(client, 'prepay').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const answer = await original.apply(this, args);
      // Meanwhile the job found the order without a prepay and closed it, giving its points back.
      const order = await t.db.dataSource.getRepository(PayOrder).findOneByOrFail({ memberId: me.id, status: PayOrderStatus.Pending });
      await t.app.get(PayCompletionService).closeLocally(order, t.clock.now());
      return answer;
    });
    try {
      expect(codeOf(await checkout(me.id, { amountFen: 30000, pointsToBurn: 500 }).catch((e) => e))).toBe('PAY_ORDER_CLOSED');
    } finally {
      spy.mockRestore();
    }
    const [order] = await t.db.dataSource.getRepository(PayOrder).findBy({ memberId: me.id });
    expect(order).toMatchObject({ status: PayOrderStatus.Closed, prepayId: null });
    expect(await balanceOf(me.id)).toBe(1000);
  });

  it('a payment WeChat took after we closed the order is flagged, and then refunded in full through WeChat Pay', async () => {
    const me = await newMember(1000, true);
    const created = await checkout(me.id, { amountFen: 30000, couponId: me.couponId, pointsToBurn: 500 });
    const no = created.order.outTradeNo;
    // Closed here (its holds back) while WeChat still had it open; the member pays anyway.
    await t.app.get(PayCompletionService).closeLocally(await orderOf(no), t.clock.now());
    expect(await requestPayment(me.user, created.payment!)).toEqual({ errMsg: 'requestPayment:ok' });
    await waitFor('the late payment flagged', async () => (await orderOf(no)).status === PayOrderStatus.Flagged);
    expect(await balanceOf(me.id)).toBe(1000);

    const refunded = await payments.refund(no, { amountFen: 27500, outRefundNo: `R-${no}-late` }, 'o-clerk');
    expect(refunded.refunds).toEqual([expect.objectContaining({ amountFen: 27500 })]);
    await waitFor('the refund settled', async () => (await orderOf(no)).refundedFen === 27500);
    // Nothing moves but the money: the holds came back at the close, and no sale was made.
    expect(await balanceOf(me.id)).toBe(1000);
    expect(await couponStatus(me.couponId!)).toBe('available');
    expect(codeOf(await payments.refund(no, { amountFen: 1, outRefundNo: `R-${no}-more` }, 'o-clerk').catch((e) => e))).toBe(
      'REFUND_EXCEEDS_PAID',
    );
  });
});
