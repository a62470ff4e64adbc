// The pay part of the dev API: not WeChat. /dev/pay/request-payment stands in for wx.requestPayment (the
// user confirming or cancelling in the WeChat cashier); the rest lets tests read orders, refunds and the
// exact notifications sent, resend one, and change delivery settings. Plain HTTP 400 {error} on bad input.
import { openidFor } from '../ids';
import type { Ctx, Reply, Route } from '../protocol';
import { bad, body, userOf } from '../routes/dev';
import { beijingTime, rsaVerify } from './crypto';
import { newTransactionId } from './ids';
import { deliver, notify } from './notify';
import { refundView, transactionView } from './routes';
import { type PayOrder, type PayState, PREPAY_TTL_MS, type SignWith } from './state';

function configured(ctx: Ctx): PayState {
  const pay = ctx.state.pay;
  if (!pay.configured) throw bad('pay is not configured (start the emulator with a `pay` option)');
  return pay;
}

/** The order as tests see it: everything the emulator keeps, plus what the query API would answer. */
function orderView(pay: PayState, order: PayOrder): Record<string, unknown> {
  const { request: _request, ...rest } = order;
  return { ...rest, transaction: transactionView(order), refunds: pay.refundsOf(order).map(refundView) };
}

/**
 * wx.requestPayment({timeStamp, nonceStr, package, signType, paySign}) by `user` in mini-program `appid`
 * (default: the order's). Checks what the WeChat
 * client and cashier check: RSA paySign over `${appId}\n${timeStamp}\n${nonceStr}\n${package}\n` with the
 * merchant key, a live prepay_id of this app, an unpaid order still payable, the ordering user. Then the
 * user pays (decision 'pay', default), cancels, or stays in the cashier entering the password ('paying').
 */
function requestPayment(ctx: Ctx): Reply {
  const pay = configured(ctx);
  const b = body(ctx);
  const user = userOf(b.user);
  if (b.appid !== undefined && (typeof b.appid !== 'string' || b.appid === '')) throw bad('appid must be a non-empty string');
  const fail = (detail: string): Reply => ({ json: { errMsg: `requestPayment:fail ${detail}` } });
  const decision = b.decision ?? 'pay';
  if (decision !== 'pay' && decision !== 'cancel' && decision !== 'paying') throw bad("decision must be 'pay', 'cancel' or 'paying'");
  const { timeStamp, nonceStr, package: pkg, signType, paySign } = b;
  if (typeof timeStamp !== 'string' || !/^\d{10}$/.test(timeStamp)) return fail('parameter error: timeStamp must be a 10-digit string');
  if (typeof nonceStr !== 'string' || nonceStr === '' || nonceStr.length > 32)
    return fail('parameter error: nonceStr must be 1-32 characters');
  if (signType !== 'RSA') return fail('parameter error: signType must be RSA');
  if (typeof paySign !== 'string' || paySign === '') return fail('parameter error: paySign is required');
  const prepayId = typeof pkg === 'string' ? /^prepay_id=(.+)$/.exec(pkg)?.[1] : undefined;
  if (!prepayId) return fail('parameter error: package must be "prepay_id=…"');

  const key = pay.prepays.get(prepayId);
  const order = key === undefined ? undefined : pay.orders.get(key);
  const now = pay.clock.now();
  if (!order || order.prepay_id !== prepayId) return fail('prepay_id无效');
  if (now - order.prepayIssuedAt >= PREPAY_TTL_MS) return fail('prepay_id已过期（有效期2小时）');
  const merchant = pay.merchants.get(order.mchid);
  if (!merchant) return fail('商户号不存在');
  // The mini-program the user pays in; by default the one the order was placed for.
  const appid = (b.appid as string | undefined) ?? order.appid;
  if (!rsaVerify(merchant.publicKeyPem, `${appid}\n${timeStamp}\n${nonceStr}\n${pkg as string}\n`, paySign)) {
    return fail('支付验证签名失败');
  }
  if (order.appid !== appid) return fail('appid与下单时的appid不一致');
  if (order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND') return fail('该订单已支付');
  if (order.trade_state === 'CLOSED') return fail('订单已关闭');
  if (now > order.payableUntil) return fail('订单已过期');
  if (order.payer.openid !== openidFor(appid, user)) return fail('当前用户不是下单用户');
  ctx.state.registerUser(appid, user);
  if (decision === 'cancel') return { json: { errMsg: 'requestPayment:fail cancel' } };
  // The member is still entering the password: the order reads USERPAYING and a close answers 202. The
  // call answers as the cashier would while it is still open; a later 'pay' completes it.
  if (decision === 'paying') {
    order.trade_state = 'USERPAYING';
    return { json: { errMsg: 'requestPayment:paying' } };
  }

  order.trade_state = 'SUCCESS';
  order.transaction_id = newTransactionId(now);
  order.paidAt = now;
  order.success_time = beijingTime(now);
  order.bank_type = 'OTHERS';
  notify(pay, {
    merchant,
    url: order.notify_url,
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    outTradeNo: order.out_trade_no,
    plaintext: transactionView(order),
  });
  return { json: { errMsg: 'requestPayment:ok' } };
}

function orders(ctx: Ctx): Reply {
  const pay = ctx.state.pay;
  const no = ctx.query.get('out_trade_no');
  const list = [...pay.orders.values()].filter((o) => !no || o.out_trade_no === no);
  return { json: { orders: list.map((o) => orderView(pay, o)) } };
}

function refunds(ctx: Ctx): Reply {
  const no = ctx.query.get('out_trade_no');
  const refundNo = ctx.query.get('out_refund_no');
  const list = [...ctx.state.pay.refunds.values()].filter(
    (r) => (!no || r.out_trade_no === no) && (!refundNo || r.out_refund_no === refundNo),
  );
  return { json: { refunds: list.map((r) => ({ ...refundView(r), mchid: r.mchid, reason: r.reason, notify_url: r.notify_url })) } };
}

function notifications(ctx: Ctx): Reply {
  const no = ctx.query.get('out_trade_no');
  const type = ctx.query.get('event_type');
  const list = ctx.state.pay.notifications.filter((n) => (!no || n.outTradeNo === no) && (!type || n.eventType === type));
  return { json: { notifications: list } };
}

/** Sends one notification once more, now, whatever the settings; answers what the merchant's server said. */
async function resend(ctx: Ctx): Promise<Reply> {
  const pay = configured(ctx);
  const id = body(ctx).id;
  const n = pay.notifications.find((x) => x.id === id);
  if (!n) throw bad(`no notification with id ${String(id)}`);
  const attempt = await deliver(pay, n);
  return { json: { ...attempt, delivered: n.delivered } };
}

function settings(ctx: Ctx): Reply {
  const pay = configured(ctx);
  if (ctx.method === 'POST') {
    const b = body(ctx);
    const next = { ...pay.settings };
    if (b.notify !== undefined) {
      if (b.notify !== 'send' && b.notify !== 'drop') throw bad("notify must be 'send' or 'drop'");
      next.notify = b.notify;
    }
    if (b.signWith !== undefined) {
      if (b.signWith !== 'publicKey' && b.signWith !== 'certificate' && b.signWith !== 'mixed')
        throw bad("signWith must be 'publicKey', 'certificate' or 'mixed'");
      next.signWith = b.signWith as SignWith;
    }
    const num = (name: 'notifyRetryScale' | 'refundSettleMs' | 'notifyTimeoutMs' | 'refundSpacingMs', max: number) => {
      const v = b[name];
      if (v === undefined) return;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw bad(`${name} must be a number 0-${max}`);
      next[name] = v;
    };
    num('notifyRetryScale', 100);
    num('refundSettleMs', 86_400_000);
    num('notifyTimeoutMs', 600_000);
    num('refundSpacingMs', 3_600_000);
    pay.settings = next;
  }
  return { json: pay.settings };
}

export const payDevRoutes: Route[] = [
  { path: '/dev/pay/request-payment', methods: ['POST'], handle: requestPayment },
  { path: '/dev/pay/orders', methods: ['GET'], handle: orders },
  { path: '/dev/pay/refunds', methods: ['GET'], handle: refunds },
  { path: '/dev/pay/notifications', methods: ['GET'], handle: notifications },
  { path: '/dev/pay/notifications/resend', methods: ['POST'], handle: resend },
  { path: '/dev/pay/settings', methods: ['GET', 'POST'], handle: settings },
];
