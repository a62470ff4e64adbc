import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AppConfig } from '@member/config';
import type { RequestPaymentParams } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import Pay from 'wechatpay-node-v3';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';

/** WeChat Pay's host, hard-coded in wechatpay-node-v3; our HTTP adapter swaps it for the configured base URL. */
const WECHATPAY_HOST = 'https://api.mch.weixin.qq.com';
const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
/** An unknown certificate serial refetches the platform certificates at most this often (a forged serial must not make us hammer WeChat). */
const CERTIFICATE_REFETCH_MS = 60_000;

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

/** WeChat answered with an error body `{code, message}` (e.g. ORDERPAID, NOT_ENOUGH, RESOURCE_NOT_EXISTS). */
export class WechatPayApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`WeChat Pay ${operation}: HTTP ${status} ${code} ${detail}`);
    this.name = 'WechatPayApiError';
  }
}

/** No trustworthy answer: network failure, timeout, a 5xx, or a response whose signature does not verify. */
export class WechatPayUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`WeChat Pay ${operation} unavailable: ${reason}`);
    this.name = 'WechatPayUnavailableError';
  }
}

/** Why an incoming notification was refused; the controller answers 4xx and changes nothing. */
export class NotificationRejected extends Error {
  constructor(readonly reason: string) {
    super(`notification rejected: ${reason}`);
    this.name = 'NotificationRejected';
  }
}

export interface VerifiedNotification<T> {
  id: string;
  eventType: string;
  resource: T;
}

interface HttpOutput {
  status: number;
  data?: unknown;
  headers: Headers;
  text: string;
}

type Headers = Record<string, string | undefined>;

/**
 * wechatpay-node-v3's Pay, opened up where the library keeps things protected: the static platform-key map
 * (public-key mode seeds it with the PUB_KEY_ID_ key) and the merchant signer (to sign `wx.requestPayment`
 * again for an order already created).
 */
class MerchantPay extends Pay {
  static knowsSerial(serial: string): boolean {
    return Object.prototype.hasOwnProperty.call(Pay.certificates, serial);
  }

  static addPlatformKey(serial: string, publicKeyPem: string): void {
    Pay.certificates[serial] = publicKeyPem;
  }

  paymentParams(appId: string, prepayId: string, nowSeconds: number): RequestPaymentParams {
    const params = { appId, timeStamp: String(nowSeconds), nonceStr: randomBytes(12).toString('hex'), package: `prepay_id=${prepayId}`, signType: 'RSA' as const };
    return { ...params, paySign: this.sign([params.appId, params.timeStamp, params.nonceStr, params.package, ''].join('\n')) };
  }
}

/**
 * Our WeChat Pay API v3 client: wechatpay-node-v3 signs requests, makes the `wx.requestPayment` parameters,
 * verifies signatures and decrypts notifications; this class gives it an HTTP transport with our base URL and
 * timeout, verifies the signature of every answer and notification against the WeChat Pay public key or the
 * platform certificates (both, keyed by serial, as during WeChat's migration), refuses probes and stale
 * timestamps, and turns answers into typed results or errors.
 */
@Injectable()
export class WechatPayClient {
  private readonly logger = new Logger(WechatPayClient.name);
  private readonly pay: MerchantPay | null;
  private readonly settings: NonNullable<AppConfig['wechatPay']> | null;
  private lastCertificateFetch = 0;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.settings = config.wechatPay;
    if (!this.settings) {
      this.pay = null;
      return;
    }
    const privateKey = readFileSync(this.settings.merchantPrivateKeyFile);
    this.pay = new MerchantPay({
      appid: config.wechat.appid,
      mchid: this.settings.mchid,
      // The library wants the merchant certificate only to read its serial, which we give directly.
      publicKey: privateKey,
      privateKey,
      serial_no: this.settings.merchantSerialNo,
      key: this.settings.apiV3Key,
    });
    this.pay.createHttp({ get: (url, headers) => this.send('GET', url, undefined, headers), post: (url, body, headers) => this.send('POST', url, body, headers), upload: () => Promise.reject(new Error('not used')) });
    if (this.settings.publicKeyId && this.settings.publicKeyFile) MerchantPay.addPlatformKey(this.settings.publicKeyId, readFileSync(this.settings.publicKeyFile, 'utf8'));
  }

  get configured(): boolean {
    return this.pay !== null;
  }

  get mchid(): string {
    return this.settings?.mchid ?? '';
  }

  /** JSAPI order → the signed `wx.requestPayment` parameters and the prepay_id. */
  async prepay(order: { outTradeNo: string; description: string; totalFen: number; openid: string; expiresAt: Date; attach?: string }): Promise<{ prepayId: string; params: RequestPaymentParams }> {
    const pay = this.requirePay();
    const settings = this.settings as NonNullable<AppConfig['wechatPay']>;
    const result = (await pay.transactions_jsapi({
      description: order.description,
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
    return this.requirePay().paymentParams(this.config.wechat.appid, prepayId, Math.floor(this.clock.now().getTime() / 1000));
  }

  /** The order at WeChat, or null if WeChat does not know it (ORDER_NOT_EXIST). */
  async queryOrder(outTradeNo: string): Promise<WechatTransaction | null> {
    const result = (await this.requirePay().query({ out_trade_no: outTradeNo })) as unknown as HttpOutput;
    if (result.status === 404) return null;
    await this.checkAnswer('query', result);
    return result.data as WechatTransaction;
  }

  /** Closes an unpaid order at WeChat; answers 'paid' when WeChat says it was paid meanwhile (ORDERPAID). */
  async closeOrder(outTradeNo: string): Promise<'closed' | 'paid'> {
    const result = (await this.requirePay().close(outTradeNo)) as unknown as HttpOutput;
    if (result.status === 400 || result.status === 403) {
      const code = errorCode(result);
      if (code === 'ORDERPAID' || code === 'TRADE_ERROR') return 'paid';
    }
    if (result.status === 404) return 'closed';
    await this.checkAnswer('close', result);
    return 'closed';
  }

  async refund(refund: { outTradeNo: string; outRefundNo: string; refundFen: number; totalFen: number; reason?: string }): Promise<WechatRefund> {
    const settings = this.settings as NonNullable<AppConfig['wechatPay']>;
    const result = (await this.requirePay().refunds({
      out_trade_no: refund.outTradeNo,
      out_refund_no: refund.outRefundNo,
      reason: refund.reason,
      notify_url: settings.refundNotifyUrl,
      amount: { refund: refund.refundFen, total: refund.totalFen, currency: 'CNY' },
    } as Parameters<Pay['refunds']>[0])) as unknown as HttpOutput;
    await this.checkAnswer('refund', result);
    return result.data as WechatRefund;
  }

  /** The refund at WeChat, or null if WeChat never received it (RESOURCE_NOT_EXISTS). */
  async queryRefund(outRefundNo: string): Promise<WechatRefund | null> {
    const result = (await this.requirePay().find_refunds(outRefundNo)) as unknown as HttpOutput;
    if (result.status === 404) return null;
    await this.checkAnswer('refund-query', result);
    return result.data as WechatRefund;
  }

  /**
   * Verifies a notification (signature over the raw body, timestamp within the allowed skew, no signature
   * probe, a known key) and decrypts its resource. Throws NotificationRejected for anything else.
   */
  async verifyNotification<T>(headers: Headers, rawBody: string): Promise<VerifiedNotification<T>> {
    this.requirePay();
    await this.verifySignature(headers, rawBody).then((problem) => {
      if (problem) throw new NotificationRejected(problem);
    });
    let envelope: { id?: string; event_type?: string; resource?: { algorithm?: string; ciphertext?: string; associated_data?: string; nonce?: string } };
    try {
      envelope = JSON.parse(rawBody);
    } catch {
      throw new NotificationRejected('body is not JSON');
    }
    const resource = envelope.resource;
    if (!envelope.event_type || !resource?.ciphertext || !resource.nonce || resource.algorithm !== 'AEAD_AES_256_GCM') throw new NotificationRejected('not an encrypted WeChat Pay notification');
    let plain: unknown;
    try {
      // The body's signature was verified above, so the ciphertext is WeChat's (the library's decipher does not
      // check the GCM tag itself); a wrong APIv3 key shows up here as text that is not JSON.
      plain = this.requirePay().decipher_gcm(resource.ciphertext, resource.associated_data ?? '', resource.nonce);
    } catch (error) {
      throw new NotificationRejected(`cannot decrypt: ${(error as Error).message}`);
    }
    if (typeof plain !== 'object' || plain === null) throw new NotificationRejected('decrypted resource is not JSON (wrong APIv3 key?)');
    return { id: envelope.id ?? '', eventType: envelope.event_type, resource: plain as T };
  }

  /** Null when the Wechatpay-* headers prove WeChat sent exactly this body just now; else why not. */
  private async verifySignature(headers: Headers, body: string): Promise<string | null> {
    const timestamp = headers['wechatpay-timestamp'];
    const nonce = headers['wechatpay-nonce'];
    const signature = headers['wechatpay-signature'];
    const serial = headers['wechatpay-serial'];
    const type = headers['wechatpay-signature-type'];
    if (!timestamp || !nonce || !signature || !serial) return 'missing Wechatpay-* signature headers';
    if (type && type !== SIGNATURE_TYPE) return `unsupported signature type ${type}`;
    // WeChat sends deliberate probes that must fail verification.
    if (signature.startsWith('WECHATPAY/SIGNTEST/')) return 'signature probe (WECHATPAY/SIGNTEST/)';
    if (!/^\d{1,12}$/.test(timestamp)) return 'bad timestamp';
    // Freshness is a matter of wall time between two machines, not of the business clock (which tests and
    // demos may move): WeChat stamps with its clock, we compare with ours.
    const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp));
    if (skew > this.config.payment.signatureMaxSkewSeconds) return `timestamp ${skew} s away from our clock`;
    if (!(await this.knowsKey(serial))) return `unknown serial ${serial}`;
    try {
      const ok = await this.requirePay().verifySign({ timestamp, nonce, body, serial, signature });
      return ok ? null : 'bad signature';
    } catch (error) {
      return `cannot verify: ${(error as Error).message}`;
    }
  }

  /** Public-key mode keys are configured; platform certificates are fetched when a serial is new to us. */
  private async knowsKey(serial: string): Promise<boolean> {
    if (MerchantPay.knowsSerial(serial)) return true;
    if (serial.startsWith('PUB_KEY_ID_')) return false;
    const now = Date.now();
    if (now - this.lastCertificateFetch < CERTIFICATE_REFETCH_MS) return false;
    this.lastCertificateFetch = now;
    try {
      // Public in the library's JavaScript, typed private in its declarations.
      await (this.requirePay() as unknown as { fetchCertificates(apiV3Key: string): Promise<void> }).fetchCertificates(this.settings?.apiV3Key as string);
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot fetch WeChat Pay platform certificates');
      return false;
    }
    return MerchantPay.knowsSerial(serial);
  }

  /** A 2xx answer must carry WeChat's signature; anything else becomes a typed error. */
  private async checkAnswer(operation: string, result: HttpOutput): Promise<void> {
    if (result.status >= 500 || result.status === 0) throw new WechatPayUnavailableError(operation, `HTTP ${result.status}`);
    if (result.status < 200 || result.status >= 300) {
      throw new WechatPayApiError(operation, result.status, errorCode(result), errorMessage(result));
    }
    const problem = await this.verifySignature(result.headers, result.text);
    if (problem) throw new WechatPayUnavailableError(operation, `answer signature: ${problem}`);
  }

  /** The library's HTTP hook: same signed path, our base URL, our timeout; keeps the raw body for verification. */
  private async send(method: 'GET' | 'POST', url: string, body: Record<string, unknown> | undefined, headers: Record<string, string>): Promise<HttpOutput> {
    const target = url.startsWith(WECHATPAY_HOST) ? `${this.config.wechat.payApiBaseUrl}${url.slice(WECHATPAY_HOST.length)}` : url;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        // The library signed JSON.stringify of this very object, so the bytes sent are the bytes signed.
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { ...headers, 'Accept-Encoding': 'identity', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        signal: AbortSignal.timeout(this.config.wechat.requestTimeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message;
      throw new WechatPayUnavailableError(new URL(target).pathname, reason);
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    const answerHeaders: Headers = {};
    response.headers.forEach((value, key) => {
      answerHeaders[key] = value;
    });
    return { status: response.status, data, headers: answerHeaders, text };
  }

  private requirePay(): MerchantPay {
    if (!this.pay) throw new Error('WeChat Pay is not configured');
    return this.pay;
  }
}

function errorCode(result: HttpOutput): string {
  return String((result.data as { code?: unknown } | undefined)?.code ?? `HTTP_${result.status}`);
}

function errorMessage(result: HttpOutput): string {
  return String((result.data as { message?: unknown } | undefined)?.message ?? '');
}

/** RFC 3339 in Beijing time, as WeChat Pay writes and expects times: 2026-12-02T22:15:00+08:00. */
export function beijingTime(date: Date): string {
  const shifted = new Date(Math.floor(date.getTime() / 1000) * 1000 + 8 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}
