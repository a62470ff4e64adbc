// Test helpers for WeChat Pay: an emulator with one merchant, the real wechatpay-node-v3 client pointed at
// it through a fetch adapter, and a local HTTP server that receives notifications. Not a test file.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Pay from 'wechatpay-node-v3';
import { APP, type Harness, startHarness } from './harness';
import { openidFor } from './ids';
import { createPayKeys, type PayKeys, payKeysToEmulatorConfig } from './pay/keys';
import type { PayOptions } from './pay/state';

export const WECHATPAY_BASE = 'https://api.mch.weixin.qq.com';

type Json = any;

/** The library's answer shape, plus the headers and raw text the adapter adds for signature checks. */
export interface PayResult {
  status: number;
  data?: Json;
  headers: Record<string, string>;
  text: string;
}

/**
 * wechatpay-node-v3's IPayRequest over fetch, rewriting WeChat's host to the emulator. The body is
 * JSON.stringify(params), byte for byte what the library signed. `extraHeaders` go on every request (the
 * library never sends Wechatpay-Serial; a public-key merchant must).
 */
export function fetchAdapter(base: string, extraHeaders: Record<string, string> = {}) {
  const call = async (method: string, url: string, headers: Record<string, string>, body?: string): Promise<PayResult> => {
    const res = await fetch(url.replace(WECHATPAY_BASE, base), { method, headers: { ...headers, ...extraHeaders }, body });
    const text = await res.text();
    let data: Json;
    if (text !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    return { status: res.status, data, headers: Object.fromEntries(res.headers), text };
  };
  return {
    post: (url: string, params: Record<string, unknown>, headers: Record<string, string>) =>
      call('POST', url, headers, JSON.stringify(params)),
    get: (url: string, headers: Record<string, string>) => call('GET', url, headers),
    upload: (): Promise<PayResult> => Promise.reject(new Error('uploads are not emulated')),
  };
}

/**
 * The real client as our server would build it: merchant key and serial, APIv3 key, and in public-key mode
 * (the default) `Wechatpay-Serial: PUB_KEY_ID_…` on every request so answers are signed with the public key.
 */
export function payClient(
  keys: PayKeys,
  emulatorUrl: string,
  appid = keys.appids[0],
  mode: 'publicKey' | 'certificate' = 'publicKey',
): Pay {
  const pay = new Pay({
    appid,
    mchid: keys.mchid,
    serial_no: keys.merchant.serialNo,
    publicKey: Buffer.from(keys.merchant.publicKeyPem),
    privateKey: Buffer.from(keys.merchant.privateKeyPem),
    key: keys.apiV3Key,
  });
  pay.createHttp(fetchAdapter(emulatorUrl, mode === 'publicKey' ? { 'Wechatpay-Serial': keys.platform.publicKeyId } : {}));
  return pay;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** What to answer the n-th request (0-based): a status, or a delay first. Default 200. */
  answer: (n: number) => { status: number; delayMs?: number };
  /** Resolves once `count` requests arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Our server's notify endpoint, as a stub that records every request. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<() => void> = [];
  const receiver: Receiver = {
    url: '',
    requests,
    answer: () => ({ status: 200 }),
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} notification requests, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 50));
          waiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
      return requests.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = requests.length;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const wake of waiters.splice(0)) wake();
      const { status, delayMs } = receiver.answer(n);
      const reply = () => {
        if (res.destroyed) return;
        // WeChat's documented failure answer; success needs no body.
        const ok = status === 200 || status === 204;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(ok ? '' : JSON.stringify({ code: 'FAIL', message: '失败' }));
      };
      if (delayMs) setTimeout(reply, delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

export interface PayHarness extends Harness {
  keys: PayKeys;
  /** wechatpay-node-v3 for the merchant, talking to this emulator. */
  client: Pay;
  receiver: Receiver;
  /** notify_url for orders: the receiver. */
  notifyUrl: string;
}

/**
 * An emulator on the real clock (the library signs with Date.now()), one merchant bound to APP, fast
 * retries and refunds, and a notification receiver. Keys are made once per harness (about half a second).
 */
export async function startPayHarness(pay: Partial<PayOptions> = {}): Promise<PayHarness> {
  const keys = createPayKeys({ appids: [APP.appid] });
  const h = await startHarness({
    now: Date.now,
    pay: { ...payKeysToEmulatorConfig(keys), notifyRetryScale: 0.001, refundSettleMs: 50, ...pay },
  });
  const receiver = await startReceiver();
  return {
    ...h,
    keys,
    client: payClient(keys, h.url),
    receiver,
    notifyUrl: `${receiver.url}/pay/notify`,
    close: async () => {
      await h.close();
      await receiver.close();
    },
  };
}

let orderSeq = 0;
/** A fresh valid out_trade_no. */
export function outTradeNo(prefix = 'T'): string {
  return `${prefix}${Date.now()}${String(++orderSeq).padStart(4, '0')}`;
}

/** Polls `check` until it returns a truthy value (real timers drive notifications and refunds). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface PlacedOrder {
  outTradeNo: string;
  openid: string;
  /** What transactions_jsapi hands the mini-program: {appId, timeStamp, nonceStr, package, signType, paySign}. */
  payment: { appId: string; timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string };
  prepayId: string;
}

/** Places a JSAPI order for `user` through the real client; throws unless WeChat answered 200. */
export async function placeOrder(h: PayHarness, user: string, extra: Record<string, unknown> = {}): Promise<PlacedOrder> {
  const openid = openidFor(APP.appid, user);
  const outTradeNoValue = (extra.out_trade_no as string | undefined) ?? outTradeNo();
  const res = await h.client.transactions_jsapi({
    description: '会员卡充值 100元',
    out_trade_no: outTradeNoValue,
    notify_url: h.notifyUrl,
    amount: { total: 100 },
    payer: { openid },
    ...extra,
  } as Parameters<Pay['transactions_jsapi']>[0]);
  if (res.status !== 200) throw new Error(`jsapi answered ${res.status}: ${JSON.stringify(res.data)}`);
  const payment = res.data as PlacedOrder['payment'];
  return { outTradeNo: outTradeNoValue, openid, payment, prepayId: payment.package.replace('prepay_id=', '') };
}

/** wx.requestPayment in the emulator: the user confirms (or cancels) in the WeChat cashier. */
export function requestPayment(
  h: Harness,
  user: string,
  payment: PlacedOrder['payment'],
  extra: Record<string, unknown> = {},
): Promise<Json> {
  const { appId: _appId, ...params } = payment;
  return h.post('/dev/pay/request-payment', { user, ...params, ...extra });
}

/** Places and pays an order; resolves once paid (the notification is still on its way). */
export async function placeAndPay(h: PayHarness, user: string, extra: Record<string, unknown> = {}): Promise<PlacedOrder> {
  const order = await placeOrder(h, user, extra);
  const res = await requestPayment(h, user, order.payment);
  if (res.errMsg !== 'requestPayment:ok') throw new Error(`requestPayment: ${res.errMsg}`);
  return order;
}
