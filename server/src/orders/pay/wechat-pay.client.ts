import { readFileSync } from 'node:fs';
import type { AppConfig } from '@member/config';
import type { RequestPaymentParams } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import type Pay from 'wechatpay-node-v3';
import { InjectConfig } from '../../common/app-config';
import { Clock } from '../../common/clock';
import {
  errorCode,
  errorMessage,
  WechatPayApiError,
  WechatPayHttp,
  WechatPayUnavailableError,
  type HeaderMap,
  type HttpOutput,
  type WechatPaySettings,
} from './wechat-pay.http';
import { openNotification, NotificationRejected, type VerifiedNotification } from './wechat-pay.notifications';
import { MerchantPay, PlatformKeys } from './wechat-pay.signing';

// What the rest of the server imports from here; each lives with its own concern.
export { WechatPayApiError, WechatPayUnavailableError } from './wechat-pay.http';
export { decryptResource, NotificationRejected, type VerifiedNotification } from './wechat-pay.notifications';

/** The transaction as WeChat reports it (notification plaintext and order query). */
export interface WechatTransaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_state: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
  trade_state_desc?: string;
  success_time?: string;
  payer?: { openid?: string };
  amount?: { total?: number; payer_total?: number; currency?: string };
}

export interface WechatRefund {
  refund_id?: string;
  out_refund_no: string;
  out_trade_no?: string;
  transaction_id?: string;
  status?: 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';
  /** Refund notifications name it refund_status. */
  refund_status?: 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';
  success_time?: string;
  amount?: { total?: number; refund?: number };
}

/**
 * What a close call settled: 'closed' (204, a repeated close, 400 ORDER_CLOSED, or an order WeChat never had),
 * 'paying' (202 USERPAYING: the member is in the cashier, so the order must stay open), or 'ask' (anything
 * else, e.g. 403 TRADE_ERROR or 400 ORDERPAID: only a query's trade_state says what the order is).
 */
export type CloseOutcome = 'closed' | 'paying' | 'ask';

/** What exists only when WeChat Pay is configured. */
interface Merchant {
  settings: WechatPaySettings;
  pay: MerchantPay;
  keys: PlatformKeys;
}

/** At most `maxBytes` of UTF-8, cut between characters: WeChat's string(n) limits count bytes, not characters. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/**
 * Our WeChat Pay API v3 client: the calls (JSAPI order, query, close, refund, refund query) and what their
 * answers mean. wechatpay-node-v3 builds and signs the requests (Authorization) and signs the
 * `wx.requestPayment` parameters (wechat-pay.signing.ts opens it up); everything WeChat sends us is checked with
 * node:crypto: the signature of every answer and notification against the platform keys we hold by serial
 * (wechat-pay.signing.ts), and encrypted resources decrypted with the GCM tag checked
 * (wechat-pay.notifications.ts). Requests leave through wechat-pay.http.ts, which in public-key mode adds
 * `Wechatpay-Serial: PUB_KEY_ID_…`, the header that makes WeChat sign its answer with the public key.
 */
@Injectable()
export class WechatPayClient {
  private readonly logger = new Logger(WechatPayClient.name);
  private readonly merchant: Merchant | null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    const settings = config.wechatPay;
    if (!settings) {
      this.merchant = null;
      return;
    }
    const privateKey = readFileSync(settings.merchantPrivateKeyFile);
    const pay = new MerchantPay({
      appid: config.wechat.appid,
      mchid: settings.mchid,
      // The library wants the merchant certificate only to read its serial, which we give directly.
      publicKey: privateKey,
      privateKey,
      serial_no: settings.merchantSerialNo,
      key: settings.apiV3Key,
    });
    const http = new WechatPayHttp(config, settings);
    pay.createHttp({
      get: (url, headers) => http.send('GET', url, undefined, headers),
      post: (url, body, headers) => http.send('POST', url, body, headers),
      upload: () => Promise.reject(new Error('not used')),
    });
    this.merchant = { settings, pay, keys: new PlatformKeys(config, settings, pay, http, this.logger) };
  }

  get configured(): boolean {
    return this.merchant !== null;
  }

  get mchid(): string {
    return this.merchant?.settings.mchid ?? '';
  }

  /** JSAPI order → the signed `wx.requestPayment` parameters and the prepay_id. */
  async prepay(order: {
    outTradeNo: string;
    description: string;
    totalFen: number;
    openid: string;
    expiresAt: Date;
    attach?: string;
  }): Promise<{ prepayId: string; params: RequestPaymentParams }> {
    const { pay, settings } = this.requireMerchant();
    const result = (await pay.transactions_jsapi({
      // string(127) counts UTF-8 bytes: 42 Chinese characters, not 127.
      description: cutUtf8(order.description, 127),
      out_trade_no: order.outTradeNo,
      time_expire: beijingTime(order.expiresAt),
      attach: order.attach,
      notify_url: settings.notifyUrl,
      amount: { total: order.totalFen, currency: 'CNY' },
      payer: { openid: order.openid },
    } as Parameters<Pay['transactions_jsapi']>[0])) as unknown as HttpOutput & { data: RequestPaymentParams };
    await this.checkAnswer('prepay', result);
    const prepayId = result.data.package.replace(/^prepay_id=/, '');
    return { prepayId, params: result.data };
  }

  /** Fresh `wx.requestPayment` parameters for an order already created (the member taps pay again). */
  paymentParams(prepayId: string): RequestPaymentParams {
    return this.requireMerchant().pay.paymentParams(this.config.wechat.appid, prepayId, Math.floor(this.clock.now().getTime() / 1000));
  }

  /** The order at WeChat, or null if WeChat does not know it (ORDER_NOT_EXIST). */
  async queryOrder(outTradeNo: string): Promise<WechatTransaction | null> {
    const result = (await this.requireMerchant().pay.query({ out_trade_no: outTradeNo })) as unknown as HttpOutput;
    if (result.status === 404) return null;
    await this.checkAnswer('query', result);
    return result.data as WechatTransaction;
  }

  /** Asks WeChat to close an unpaid order; see CloseOutcome for what each answer means. */
  async closeOrder(outTradeNo: string): Promise<CloseOutcome> {
    const result = (await this.requireMerchant().pay.close(outTradeNo)) as unknown as HttpOutput;
    if (result.status === 404) return 'closed'; // WeChat never had it: nothing there can be paid
    if (result.status >= 400 && result.status < 500 && result.status !== 429) {
      if (result.status === 400 && errorCode(result) === 'ORDER_CLOSED') return 'closed';
      return 'ask';
    }
    await this.checkAnswer('close', result);
    if (result.status === 202) return 'paying';
    return 'closed';
  }

  async refund(refund: {
    outTradeNo: string;
    outRefundNo: string;
    refundFen: number;
    totalFen: number;
    reason?: string;
  }): Promise<WechatRefund> {
    const { pay, settings } = this.requireMerchant();
    const result = (await pay.refunds({
      out_trade_no: refund.outTradeNo,
      out_refund_no: refund.outRefundNo,
      // string(80) counts UTF-8 bytes: 26 Chinese characters.
      reason: refund.reason === undefined ? undefined : cutUtf8(refund.reason, 80),
      notify_url: settings.refundNotifyUrl,
      amount: { refund: refund.refundFen, total: refund.totalFen, currency: 'CNY' },
    } as Parameters<Pay['refunds']>[0])) as unknown as HttpOutput;
    await this.checkAnswer('refund', result);
    return result.data as WechatRefund;
  }

  /** The refund at WeChat, or null if WeChat never received it (RESOURCE_NOT_EXISTS). */
  async queryRefund(outRefundNo: string): Promise<WechatRefund | null> {
    const result = (await this.requireMerchant().pay.find_refunds(outRefundNo)) as unknown as HttpOutput;
    if (result.status === 404) return null;
    await this.checkAnswer('refund-query', result);
    return result.data as WechatRefund;
  }

  /**
   * Verifies a notification (signature over the raw body, timestamp within the allowed skew, no signature
   * probe, a known key) and decrypts its resource, tag checked. Throws NotificationRejected for anything else.
   */
  async verifyNotification<T>(headers: HeaderMap, rawBody: string): Promise<VerifiedNotification<T>> {
    const { settings, keys } = this.requireMerchant();
    const problem = await keys.verifySignature(headers, rawBody);
    if (problem) throw new NotificationRejected(problem);
    return openNotification<T>(settings.apiV3Key, rawBody);
  }

  /** A 2xx answer must carry WeChat's signature; anything else becomes a typed error. */
  private async checkAnswer(operation: string, result: HttpOutput): Promise<void> {
    // 429 is "later", like a 5xx: the call may go again, nothing about the request was wrong.
    if (result.status >= 500 || result.status === 0 || result.status === 429)
      throw new WechatPayUnavailableError(operation, `HTTP ${result.status} ${errorCode(result)}`);
    if (result.status < 200 || result.status >= 300) {
      throw new WechatPayApiError(operation, result.status, errorCode(result), errorMessage(result));
    }
    const problem = await this.requireMerchant().keys.verifySignature(result.headers, result.text);
    if (problem) throw new WechatPayUnavailableError(operation, `answer signature: ${problem}`);
  }

  private requireMerchant(): Merchant {
    if (!this.merchant) throw new Error('WeChat Pay is not configured');
    return this.merchant;
  }
}

/** RFC 3339 in Beijing time, as WeChat Pay writes and expects times: 2026-12-02T22:15:00+08:00. */
export function beijingTime(date: Date): string {
  const shifted = new Date(Math.floor(date.getTime() / 1000) * 1000 + 8 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}
