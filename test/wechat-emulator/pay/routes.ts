// The merchant API of WeChat Pay v3 (api.mch.weixin.qq.com) for JSAPI / mini-program payment: order,
// query, close, refund, refund query and the platform certificate download. Every route authenticates the
// caller and signs its answer (payRoute); see the README's WeChat Pay section.
import { X509Certificate } from 'node:crypto';
import type { Ctx, Reply, Route } from '../protocol';
import { aesGcmEncrypt, beijingTime, parseRfc3339 } from './crypto';
import { newPrepayId, newRefundId } from './ids';
import { notify } from './notify';
import { paramError, payError, payJson, payRoute, sameMerchant } from './protocol';
import {
  DEFAULT_PAYABLE_MS,
  type PayMerchantConfig,
  type PayOrder,
  type PayRefund,
  type PayState,
  PREPAY_TTL_MS,
  type TradeState,
} from './state';

type Body = Record<string, unknown>;

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]+$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]+$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  USERPAYING: '用户支付中（输入密码）',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '转入退款',
};

const REQUIRED = '必填性规则校验失败，此字段为必填项';

interface StringRule {
  required?: boolean;
  /** Limits in UTF-8 bytes: WeChat's string(n) counts bytes, so 127 is about 42 Chinese characters. */
  min?: number;
  max: number;
  pattern?: RegExp;
  patternIssue?: string;
}

function stringField(body: Body, key: string, pointer: string, label: string, rule: StringRule): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (rule.required) throw paramError(pointer, label, REQUIRED);
    return undefined;
  }
  if (typeof value !== 'string') throw paramError(pointer, label, '类型规则校验失败，应为string类型', value);
  const bytes = Buffer.byteLength(value);
  const min = rule.min ?? (rule.required ? 1 : 0);
  if (bytes < min) throw paramError(pointer, label, `字符串规则校验失败，字节数 ${bytes}，小于最小值 ${min}`, value);
  if (bytes > rule.max) throw paramError(pointer, label, `字符串规则校验失败，字节数 ${bytes}，大于最大值 ${rule.max}`, value);
  if (rule.pattern && !rule.pattern.test(value)) throw paramError(pointer, label, `字符串规则校验失败，${rule.patternIssue}`, value);
  return value;
}

function objectField(body: Body, key: string, pointer: string, label: string, required: boolean): Body | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw paramError(pointer, label, REQUIRED);
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw paramError(pointer, label, '类型规则校验失败，应为object类型', value);
  return value as Body;
}

function positiveInt(body: Body, key: string, pointer: string, label: string): number {
  const value = body[key];
  if (value === undefined || value === null) throw paramError(pointer, label, REQUIRED);
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw paramError(pointer, label, '类型规则校验失败，应为整数（单位为分）', value);
  if (value < 1) throw paramError(pointer, label, `数值规则校验失败，${value} 小于最小值 1`, value);
  return value;
}

function currency(body: Body, pointer: string, required: boolean): string {
  const value = stringField(body, 'currency', pointer, '货币类型', { required, max: 16 }) ?? 'CNY';
  if (value !== 'CNY') throw paramError(pointer, '货币类型', '枚举规则校验失败，境内商户号仅支持人民币CNY', value);
  return value;
}

/** Absolute https URL without a query; http is allowed for loopback only, so a local server can receive. */
function notifyUrl(value: string, pointer: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw paramError(pointer, '通知地址', '字符串规则校验失败，应为以https://开头的完整URL', value);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw paramError(pointer, '通知地址', '字符串规则校验失败，通知地址必须使用https协议', value);
  }
  if (value.includes('?') || url.hash) throw paramError(pointer, '通知地址', '字符串规则校验失败，通知地址不能携带参数', value);
  return value;
}

/** JSON with sorted keys: two requests are "the same parameters" when these strings are equal. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Body)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

/** The transaction as the query APIs (and, for SUCCESS, the notification) present it. */
export function transactionView(order: PayOrder): Record<string, unknown> {
  const paid = order.transaction_id !== undefined;
  return {
    appid: order.appid,
    mchid: order.mchid,
    out_trade_no: order.out_trade_no,
    ...(paid ? { transaction_id: order.transaction_id } : {}),
    trade_type: 'JSAPI',
    trade_state: order.trade_state,
    trade_state_desc: TRADE_STATE_DESC[order.trade_state],
    ...(paid ? { bank_type: order.bank_type } : {}),
    attach: order.attach ?? '',
    ...(paid ? { success_time: order.success_time } : {}),
    payer: { openid: order.payer.openid },
    amount: paid
      ? { total: order.amount.total, payer_total: order.amount.total, currency: order.amount.currency, payer_currency: 'CNY' }
      : { total: order.amount.total, currency: order.amount.currency, payer_currency: 'CNY' },
  };
}

export function refundView(refund: PayRefund): Record<string, unknown> {
  const { refund: amount, total } = refund.amount;
  return {
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    transaction_id: refund.transaction_id,
    out_trade_no: refund.out_trade_no,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.success_time ? { success_time: refund.success_time } : {}),
    create_time: refund.create_time,
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total,
      refund: amount,
      from: [],
      payer_total: total,
      payer_refund: amount,
      settlement_refund: amount,
      settlement_total: total,
      discount_refund: 0,
      currency: refund.amount.currency,
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** POST /v3/pay/transactions/jsapi → 200 {prepay_id}. */
function jsapi(ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply {
  const body = payJson(ctx);
  const appid = stringField(body, 'appid', '/body/appid', '应用ID', { required: true, max: 32 }) as string;
  sameMerchant(body.mchid, merchant, '/body/mchid');
  const description = stringField(body, 'description', '/body/description', '商品描述', { required: true, max: 127 }) as string;
  const outTradeNo = stringField(body, 'out_trade_no', '/body/out_trade_no', '商户订单号', {
    required: true,
    min: 6,
    max: 32,
    pattern: OUT_TRADE_NO,
    patternIssue: '只能是数字、大小写字母_-|*',
  }) as string;
  const timeExpire = stringField(body, 'time_expire', '/body/time_expire', '交易结束时间', { max: 64 });
  const attach = stringField(body, 'attach', '/body/attach', '附加数据', { max: 128 });
  const notifyTo = notifyUrl(
    stringField(body, 'notify_url', '/body/notify_url', '通知地址', { required: true, max: 255 }) as string,
    '/body/notify_url',
  );
  stringField(body, 'goods_tag', '/body/goods_tag', '订单优惠标记', { max: 32 });
  if (body.support_fapiao !== undefined && typeof body.support_fapiao !== 'boolean') {
    throw paramError('/body/support_fapiao', '电子发票入口开放标识', '类型规则校验失败，应为boolean类型', body.support_fapiao);
  }
  const amount = objectField(body, 'amount', '/body/amount', '订单金额', true) as Body;
  const total = positiveInt(amount, 'total', '/body/amount/total', '总金额');
  const cur = currency(amount, '/body/amount/currency', false);
  const payer = objectField(body, 'payer', '/body/payer', '支付者', true) as Body;
  const openid = stringField(payer, 'openid', '/body/payer/openid', '用户标识', { required: true, max: 128 }) as string;
  for (const [key, label] of [
    ['detail', '优惠功能'],
    ['scene_info', '场景信息'],
    ['settle_info', '结算信息'],
  ]) {
    objectField(body, key, `/body/${key}`, label, false);
  }
  let expireAt: number | undefined;
  if (timeExpire !== undefined) {
    expireAt = parseRfc3339(timeExpire);
    if (expireAt === undefined) {
      throw paramError('/body/time_expire', '交易结束时间', '字符串规则校验失败，应为RFC3339格式，如2018-06-08T10:34:56+08:00', timeExpire);
    }
  }

  if (!merchant.appids.includes(appid)) throw payError(400, 'APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配');
  // Only openids the emulator has handed out are known; one from another app is rejected as WeChat does.
  const known = ctx.state.users.get(openid);
  if (known && known.appid !== appid) throw payError(400, 'PARAM_ERROR', 'appid和openid不匹配');

  const now = pay.clock.now();
  const request = canonical(body);
  const key = `${merchant.mchid} ${outTradeNo}`;
  const existing = pay.orders.get(key);
  if (existing) {
    if (existing.trade_state === 'SUCCESS' || existing.trade_state === 'REFUND') throw payError(400, 'ORDERPAID', '该订单已支付');
    if (existing.trade_state === 'CLOSED') throw payError(400, 'ORDER_CLOSED', '订单已关闭');
    if (existing.request !== request) throw payError(400, 'INVALID_REQUEST', '201 商户订单号重复');
  }
  if (expireAt !== undefined && expireAt <= now) throw payError(400, 'INVALID_REQUEST', 'time_expire时间过短，请重新设置');
  if (existing) {
    // Same parameters again: the same order. Its prepay_id is handed back while valid (2 h); after that a
    // fresh one replaces it, which is how WeChat lets a merchant "re-enter with the original parameters".
    if (now - existing.prepayIssuedAt >= PREPAY_TTL_MS) {
      existing.prepay_id = newPrepayId(now);
      existing.prepayIssuedAt = now;
      pay.prepays.set(existing.prepay_id, key);
    }
    return { json: { prepay_id: existing.prepay_id } };
  }
  const order: PayOrder = {
    mchid: merchant.mchid,
    appid,
    out_trade_no: outTradeNo,
    description,
    ...(attach === undefined ? {} : { attach }),
    notify_url: notifyTo,
    ...(timeExpire === undefined ? {} : { time_expire: timeExpire }),
    amount: { total, currency: cur },
    payer: { openid },
    request,
    createdAt: now,
    payableUntil: expireAt ?? now + DEFAULT_PAYABLE_MS,
    prepay_id: newPrepayId(now),
    prepayIssuedAt: now,
    trade_state: 'NOTPAY',
  };
  pay.orders.set(key, order);
  pay.prepays.set(order.prepay_id, key);
  return { json: { prepay_id: order.prepay_id } };
}

function queryMchid(ctx: Ctx, merchant: PayMerchantConfig): void {
  sameMerchant(ctx.query.get('mchid') ?? undefined, merchant, '/query/mchid');
}

const orderNotExist = () => payError(404, 'ORDER_NOT_EXIST', '订单不存在');

function queryByOutTradeNo(ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply {
  queryMchid(ctx, merchant);
  const order = pay.order(merchant.mchid, ctx.params.out_trade_no);
  if (!order) throw orderNotExist();
  return { json: transactionView(order) };
}

/** Only paid orders have a transaction_id, so only they can be found this way. */
function queryByTransactionId(ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply {
  queryMchid(ctx, merchant);
  const order = pay.orderByTransactionId(merchant.mchid, ctx.params.transaction_id);
  if (!order) throw orderNotExist();
  return { json: transactionView(order) };
}

/**
 * 204 for an unpaid order, and again for one already closed (a repeated close is not an error); 202 USERPAYING
 * while the member is in the cashier (the order stays open: it may still be paid); a paid one can't be closed.
 * 400 ORDER_CLOSED and 403 TRADE_ERROR are documented answers too: tests get them through /dev/faults.
 */
function close(ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply {
  const body = payJson(ctx);
  sameMerchant(body.mchid, merchant, '/body/mchid');
  const order = pay.order(merchant.mchid, ctx.params.out_trade_no);
  if (!order) throw orderNotExist();
  if (order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND') throw payError(400, 'ORDERPAID', '订单已支付');
  if (order.trade_state === 'USERPAYING') return { status: 202, json: { code: 'USERPAYING', message: '用户支付中，需要输入密码' } };
  if (order.trade_state === 'NOTPAY') {
    order.trade_state = 'CLOSED';
    order.closedAt = pay.clock.now();
  }
  return { status: 204 };
}

/** After settings.refundSettleMs the refund succeeds; then the order may turn REFUND and the merchant is told. */
function settleLater(pay: PayState, refund: PayRefund, merchant: PayMerchantConfig): void {
  pay.later(pay.settings.refundSettleMs, () => {
    refund.status = 'SUCCESS';
    refund.success_time = beijingTime(pay.clock.now());
    const order = pay.order(refund.mchid, refund.out_trade_no);
    if (order) {
      const settled = pay
        .refundsOf(order)
        .filter((r) => r.status === 'SUCCESS')
        .reduce((sum, r) => sum + r.amount.refund, 0);
      if (settled >= order.amount.total) order.trade_state = 'REFUND';
    }
    if (!refund.notify_url) return;
    notify(pay, {
      merchant,
      url: refund.notify_url,
      eventType: 'REFUND.SUCCESS',
      summary: '退款成功',
      originalType: 'refund',
      outTradeNo: refund.out_trade_no,
      outRefundNo: refund.out_refund_no,
      plaintext: {
        mchid: refund.mchid,
        transaction_id: refund.transaction_id,
        out_trade_no: refund.out_trade_no,
        refund_id: refund.refund_id,
        out_refund_no: refund.out_refund_no,
        refund_status: 'SUCCESS',
        success_time: refund.success_time,
        user_received_account: '支付用户零钱',
        amount: {
          total: refund.amount.total,
          refund: refund.amount.refund,
          payer_total: refund.amount.total,
          payer_refund: refund.amount.refund,
        },
      },
    });
  });
}

/**
 * POST /v3/refund/domestic/refunds → 200 PROCESSING; repeating an out_refund_no returns that refund (so a
 * merchant retries a failed or interrupted refund with the same number); `reason` is at most 80 UTF-8 bytes.
 */
function refund(ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply {
  const body = payJson(ctx);
  const transactionId = stringField(body, 'transaction_id', '/body/transaction_id', '微信支付订单号', { max: 32 });
  const outTradeNo = stringField(body, 'out_trade_no', '/body/out_trade_no', '商户订单号', { max: 32 });
  if (!transactionId && !outTradeNo) {
    throw paramError('/body/out_trade_no', '商户订单号', '必填性规则校验失败，transaction_id和out_trade_no必须二选一');
  }
  const outRefundNo = stringField(body, 'out_refund_no', '/body/out_refund_no', '商户退款单号', {
    required: true,
    max: 64,
    pattern: OUT_REFUND_NO,
    patternIssue: '只能是数字、大小写字母_-|*@',
  }) as string;
  const reason = stringField(body, 'reason', '/body/reason', '退款原因', { max: 80 });
  const url = stringField(body, 'notify_url', '/body/notify_url', '退款结果回调url', { max: 256 });
  if (url !== undefined) notifyUrl(url, '/body/notify_url');
  const amount = objectField(body, 'amount', '/body/amount', '金额信息', true) as Body;
  const refundFen = positiveInt(amount, 'refund', '/body/amount/refund', '退款金额');
  const total = positiveInt(amount, 'total', '/body/amount/total', '原订单金额');
  const cur = currency(amount, '/body/amount/currency', true);

  // The refund system knows paid transactions only: an unknown or unpaid order is "not there".
  const order = transactionId ? pay.orderByTransactionId(merchant.mchid, transactionId) : pay.order(merchant.mchid, outTradeNo as string);
  if (!order?.transaction_id) throw payError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
  const key = `${merchant.mchid} ${outRefundNo}`;
  const existing = pay.refunds.get(key);
  if (existing) {
    const same = existing.out_trade_no === order.out_trade_no && existing.amount.refund === refundFen && existing.amount.total === total;
    if (!same) throw payError(400, 'INVALID_REQUEST', '订单金额或退款金额与之前请求不一致，请核实后再试');
    return { json: refundView(existing) };
  }
  if (total !== order.amount.total) throw payError(400, 'INVALID_REQUEST', '退款请求中的原订单金额与订单实际金额不一致');
  const refunded = pay.refundsOf(order).reduce((sum, r) => sum + r.amount.refund, 0);
  if (refunded >= order.amount.total) throw payError(400, 'INVALID_REQUEST', '订单已全额退款');
  if (refundFen > order.amount.total - refunded) throw payError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
  // A new refund of the same order within a minute of the last one is refused; the same out_refund_no again
  // (above) is not a new refund and is answered whatever the time.
  const last = pay.lastRefundAt(order);
  if (last !== undefined && pay.clock.now() - last < pay.settings.refundSpacingMs) {
    throw payError(429, 'FREQUENCY_LIMITED', '同一笔订单的退款请求需间隔1分钟，请稍后再试');
  }

  const now = pay.clock.now();
  const record: PayRefund = {
    mchid: merchant.mchid,
    refund_id: newRefundId(now),
    out_refund_no: outRefundNo,
    transaction_id: order.transaction_id,
    out_trade_no: order.out_trade_no,
    ...(reason === undefined ? {} : { reason }),
    ...(url === undefined ? {} : { notify_url: url }),
    amount: { refund: refundFen, total, currency: cur },
    status: 'PROCESSING',
    createdAt: now,
    create_time: beijingTime(now),
  };
  pay.refunds.set(key, record);
  settleLater(pay, record, merchant);
  return { json: refundView(record) };
}

function refundQuery(ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply {
  const record = pay.refunds.get(`${merchant.mchid} ${ctx.params.out_refund_no}`);
  if (!record) throw payError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
  return { json: refundView(record) };
}

/** The platform certificate, AES-GCM-encrypted with the caller's APIv3 key (associated data "certificate"). */
function certificates(_ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply {
  const platform = pay.platform;
  if (!platform) throw payError(500, 'SYSTEM_ERROR', '系统异常，请稍后重试');
  const cert = new X509Certificate(platform.certPem);
  const { nonce, ciphertext } = aesGcmEncrypt(merchant.apiV3Key, platform.certPem, 'certificate');
  return {
    json: {
      data: [
        {
          serial_no: platform.certSerialNo,
          effective_time: beijingTime(Date.parse(cert.validFrom)),
          expire_time: beijingTime(Date.parse(cert.validTo)),
          encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext },
        },
      ],
    },
  };
}

export const payRoutes: Route[] = [
  payRoute({ method: 'POST', path: '/v3/pay/transactions/jsapi', endpoint: 'pay_jsapi', handle: jsapi }),
  payRoute({
    method: 'GET',
    pattern: /^\/v3\/pay\/transactions\/out-trade-no\/(?<out_trade_no>[^/]+)$/,
    endpoint: 'pay_query',
    handle: queryByOutTradeNo,
  }),
  payRoute({
    method: 'GET',
    pattern: /^\/v3\/pay\/transactions\/id\/(?<transaction_id>[^/]+)$/,
    endpoint: 'pay_query',
    handle: queryByTransactionId,
  }),
  payRoute({
    method: 'POST',
    pattern: /^\/v3\/pay\/transactions\/out-trade-no\/(?<out_trade_no>[^/]+)\/close$/,
    endpoint: 'pay_close',
    handle: close,
  }),
  payRoute({ method: 'POST', path: '/v3/refund/domestic/refunds', endpoint: 'pay_refund', handle: refund }),
  payRoute({
    method: 'GET',
    pattern: /^\/v3\/refund\/domestic\/refunds\/(?<out_refund_no>[^/]+)$/,
    endpoint: 'pay_refund_query',
    handle: refundQuery,
  }),
  payRoute({ method: 'GET', path: '/v3/certificates', endpoint: 'pay_certificates', handle: certificates }),
];
