import { createDecipheriv, createPublicKey, randomBytes, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AppConfig } from '@member/config';
import type { RequestPaymentParams } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import Pay from 'wechatpay-node-v3';
import { InjectConfig } from '../../common/app-config';
import { Clock } from '../../common/clock';

/** WeChat Pay's host, hard-coded in wechatpay-node-v3; our HTTP adapter swaps it for the configured base URL. */
const WECHATPAY_HOST = 'https://api.mch.weixin.qq.com';
const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
/** The platform certificates are downloaded at most this often, whatever serials arrive (a forged serial must not make us hammer WeChat). */
const CERTIFICATE_REFETCH_MS = 60_000;
/** A serial the last download did not contain stays unknown this long: no download for it, however many notifications name it. */
const UNKNOWN_SERIAL_TTL_MS = 10 * 60_000;
const GCM_TAG_BYTES = 16;

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

/** No trustworthy answer: network failure, timeout, a 5xx or 429, or a response whose signature does not verify. */
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

interface EncryptedResource {
  algorithm?: string;
  ciphertext?: string;
  associated_data?: string;
  nonce?: string;
}

/**
 * wechatpay-node-v3's Pay, opened up where the library keeps things protected: the merchant signer (to sign
 * `wx.requestPayment` again for an order already created) and the Authorization builder (for the certificate
 * download, which we make and check ourselves).
 */
class MerchantPay extends Pay {
  paymentParams(appId: string, prepayId: string, nowSeconds: number): RequestPaymentParams {
    const params = {
      appId,
      timeStamp: String(nowSeconds),
      nonceStr: randomBytes(12).toString('hex'),
      package: `prepay_id=${prepayId}`,
      signType: 'RSA' as const,
    };
    return { ...params, paySign: this.sign([params.appId, params.timeStamp, params.nonceStr, params.package, ''].join('\n')) };
  }

  authorization(method: 'GET' | 'POST', url: string): string {
    return this.buildAuthorization(method, url);
  }
}

/**
 * AEAD_AES_256_GCM as WeChat uses it for notifications and certificates, with the tag checked: `final()` throws
 * when the ciphertext, nonce or associated data were changed or the key is wrong. (wechatpay-node-v3's
 * `decipher_gcm` sets the tag but never calls `final()`, so it returns tampered plaintext.)
 */
export function decryptResource(apiV3Key: string, resource: { ciphertext: string; nonce: string; associated_data?: string }): string {
  const bytes = Buffer.from(resource.ciphertext, 'base64');
  if (bytes.length <= GCM_TAG_BYTES) throw new Error('ciphertext shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - GCM_TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8');
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
 * Our WeChat Pay API v3 client. wechatpay-node-v3 builds and signs the requests (Authorization) and signs the
 * `wx.requestPayment` parameters; everything WeChat sends us is checked here with node:crypto: the signature of
 * every answer and notification against the platform keys we hold by serial (the WeChat Pay public key, the
 * platform certificates, or both during WeChat's migration), probes and stale timestamps refused, and encrypted
 * resources decrypted with the GCM tag checked. In public-key mode every request carries
 * `Wechatpay-Serial: PUB_KEY_ID_…`, which is what makes WeChat sign its answer with the public key.
 */
@Injectable()
export class WechatPayClient {
  private readonly logger = new Logger(WechatPayClient.name);
  private readonly pay: MerchantPay | null;
  private readonly settings: NonNullable<AppConfig['wechatPay']> | null;
  /** Platform keys by the serial WeChat names in Wechatpay-Serial. Per instance: two apps in one process must not share them. */
  private readonly verifiers = new Map<string, KeyObject>();
  /** Whether platform certificates are in use (certificate mode, or a migration to the public key); never in public-key-only mode. */
  private readonly usesCertificates: boolean;
  private lastCertificateFetch = 0;
  private certificateFetch: Promise<void> | null = null;
  /** Serials a download did not contain, until when: looked up again only after that. */
  private readonly unknownSerials = new Map<string, number>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.settings = config.wechatPay;
    if (!this.settings) {
      this.pay = null;
      this.usesCertificates = false;
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
    this.pay.createHttp({
      get: (url, headers) => this.send('GET', url, undefined, headers),
      post: (url, body, headers) => this.send('POST', url, body, headers),
      upload: () => Promise.reject(new Error('not used')),
    });
    if (this.settings.publicKeyId && this.settings.publicKeyFile)
      this.verifiers.set(this.settings.publicKeyId, createPublicKey(readFileSync(this.settings.publicKeyFile)));
    this.usesCertificates = this.settings.platformCertificates ?? this.settings.publicKeyId === null;
  }

  get configured(): boolean {
    return this.pay !== null;
  }

  get mchid(): string {
    return this.settings?.mchid ?? '';
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
    const pay = this.requirePay();
    const settings = this.settings as NonNullable<AppConfig['wechatPay']>;
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
    return this.requirePay().paymentParams(this.config.wechat.appid, prepayId, Math.floor(this.clock.now().getTime() / 1000));
  }

  /** The order at WeChat, or null if WeChat does not know it (ORDER_NOT_EXIST). */
  async queryOrder(outTradeNo: string): Promise<WechatTransaction | null> {
    const result = (await this.requirePay().query({ out_trade_no: outTradeNo })) as unknown as HttpOutput;
    if (result.status === 404) return null;
    await this.checkAnswer('query', result);
    return result.data as WechatTransaction;
  }

  /** Asks WeChat to close an unpaid order; see CloseOutcome for what each answer means. */
  async closeOrder(outTradeNo: string): Promise<CloseOutcome> {
    const result = (await this.requirePay().close(outTradeNo)) as unknown as HttpOutput;
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
    const settings = this.settings as NonNullable<AppConfig['wechatPay']>;
    const result = (await this.requirePay().refunds({
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
    const result = (await this.requirePay().find_refunds(outRefundNo)) as unknown as HttpOutput;
    if (result.status === 404) return null;
    await this.checkAnswer('refund-query', result);
    return result.data as WechatRefund;
  }

  /**
   * Verifies a notification (signature over the raw body, timestamp within the allowed skew, no signature
   * probe, a known key) and decrypts its resource, tag checked. Throws NotificationRejected for anything else.
   */
  async verifyNotification<T>(headers: Headers, rawBody: string): Promise<VerifiedNotification<T>> {
    const settings = this.requireSettings();
    const problem = await this.verifySignature(headers, rawBody);
    if (problem) throw new NotificationRejected(problem);
    let envelope: { id?: string; event_type?: string; resource?: EncryptedResource };
    try {
      envelope = JSON.parse(rawBody);
    } catch {
      throw new NotificationRejected('body is not JSON');
    }
    const resource = envelope.resource;
    if (!envelope.event_type || !resource?.ciphertext || !resource.nonce || resource.algorithm !== 'AEAD_AES_256_GCM')
      throw new NotificationRejected('not an encrypted WeChat Pay notification');
    let plain: unknown;
    try {
      plain = JSON.parse(
        decryptResource(settings.apiV3Key, {
          ciphertext: resource.ciphertext,
          nonce: resource.nonce,
          associated_data: resource.associated_data,
        }),
      );
    } catch (error) {
      // A failed tag (tampered ciphertext, wrong APIv3 key) or text that is not JSON: nothing is acted on.
      throw new NotificationRejected(`cannot decrypt: ${(error as Error).message}`);
    }
    if (typeof plain !== 'object' || plain === null) throw new NotificationRejected('decrypted resource is not a JSON object');
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
    const key = await this.verifierFor(serial);
    if (!key) return `unknown serial ${serial}`;
    return verifiesWith(key, `${timestamp}\n${nonce}\n${body}\n`, signature) ? null : 'bad signature';
  }

  /**
   * The platform key for a serial. The public key is configured; certificates (when in use) are downloaded
   * when a serial is new, at most once a minute, and a serial the download did not have stays unknown for a
   * while, so a stream of notifications naming a strange serial costs no downloads.
   */
  private async verifierFor(serial: string): Promise<KeyObject | null> {
    const known = this.verifiers.get(serial);
    if (known) return known;
    if (!this.usesCertificates || serial.startsWith('PUB_KEY_ID_')) return null;
    const now = Date.now();
    if ((this.unknownSerials.get(serial) ?? 0) > now) return null;
    if (!this.certificateFetch) {
      if (now - this.lastCertificateFetch < CERTIFICATE_REFETCH_MS) return null;
      this.lastCertificateFetch = now;
      this.certificateFetch = this.downloadCertificates()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'cannot download WeChat Pay platform certificates'))
        .finally(() => (this.certificateFetch = null));
    }
    await this.certificateFetch;
    const found = this.verifiers.get(serial) ?? null;
    if (!found) this.unknownSerials.set(serial, Date.now() + UNKNOWN_SERIAL_TTL_MS);
    return found;
  }

  /**
   * GET /v3/certificates, checked as the official SDKs check it: each certificate decrypts under the APIv3
   * key with its tag, is a valid X.509 certificate in its validity period with the serial it is listed under,
   * and the answer itself is signed by one of the certificates it brings (or one we already trust). Only
   * then do they become verifiers.
   */
  private async downloadCertificates(): Promise<void> {
    const settings = this.requireSettings();
    const url = `${WECHATPAY_HOST}/v3/certificates`;
    const result = await this.send('GET', url, undefined, {
      Authorization: this.requirePay().authorization('GET', url),
      Accept: 'application/json',
    });
    if (result.status !== 200) throw new WechatPayApiError('certificates', result.status, errorCode(result), errorMessage(result));
    const list = (result.data as { data?: Array<{ serial_no?: string; encrypt_certificate?: EncryptedResource }> } | undefined)?.data;
    if (!Array.isArray(list) || list.length === 0) throw new Error('certificate list is empty');
    const downloaded = new Map<string, KeyObject>();
    const now = new Date();
    for (const item of list) {
      const encrypted = item.encrypt_certificate;
      if (!item.serial_no || !encrypted?.ciphertext || !encrypted.nonce) throw new Error('certificate entry without serial or ciphertext');
      const certificate = new X509Certificate(
        decryptResource(settings.apiV3Key, {
          ciphertext: encrypted.ciphertext,
          nonce: encrypted.nonce,
          associated_data: encrypted.associated_data,
        }),
      );
      if (certificate.serialNumber.toUpperCase() !== item.serial_no.toUpperCase())
        throw new Error(`certificate listed as ${item.serial_no} has serial ${certificate.serialNumber}`);
      if (new Date(certificate.validFrom) > now || new Date(certificate.validTo) < now) continue; // not (or no longer) valid: never a verifier
      downloaded.set(item.serial_no, certificate.publicKey);
    }
    const signer = result.headers['wechatpay-serial'] ?? '';
    const signerKey = downloaded.get(signer) ?? this.verifiers.get(signer);
    const { 'wechatpay-timestamp': timestamp, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature } = result.headers;
    if (
      !signerKey ||
      !timestamp ||
      !nonce ||
      !signature ||
      !verifiesWith(signerKey, `${timestamp}\n${nonce}\n${result.text}\n`, signature)
    ) {
      throw new Error(`certificate list not signed by a certificate it contains (serial ${signer || 'missing'})`);
    }
    for (const [serial, key] of downloaded) {
      this.verifiers.set(serial, key);
      this.unknownSerials.delete(serial);
    }
  }

  /** A 2xx answer must carry WeChat's signature; anything else becomes a typed error. */
  private async checkAnswer(operation: string, result: HttpOutput): Promise<void> {
    // 429 is "later", like a 5xx: the call may go again, nothing about the request was wrong.
    if (result.status >= 500 || result.status === 0 || result.status === 429)
      throw new WechatPayUnavailableError(operation, `HTTP ${result.status} ${errorCode(result)}`);
    if (result.status < 200 || result.status >= 300) {
      throw new WechatPayApiError(operation, result.status, errorCode(result), errorMessage(result));
    }
    const problem = await this.verifySignature(result.headers, result.text);
    if (problem) throw new WechatPayUnavailableError(operation, `answer signature: ${problem}`);
  }

  /** The library's HTTP hook: same signed path, our base URL, our timeout; keeps the raw body for verification. */
  private async send(
    method: 'GET' | 'POST',
    url: string,
    body: Record<string, unknown> | undefined,
    headers: Record<string, string>,
  ): Promise<HttpOutput> {
    const target = url.startsWith(WECHATPAY_HOST) ? `${this.config.wechat.payApiBaseUrl}${url.slice(WECHATPAY_HOST.length)}` : url;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        // The library signed JSON.stringify of this very object, so the bytes sent are the bytes signed.
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          ...headers,
          'Accept-Encoding': 'identity',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          // Public-key mode: without this header WeChat signs its answer with the platform certificate, which a
          // public-key-only merchant cannot verify (and once certificates are retired, every call would fail).
          ...(this.settings?.publicKeyId ? { 'Wechatpay-Serial': this.settings.publicKeyId } : {}),
        },
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

  private requireSettings(): NonNullable<AppConfig['wechatPay']> {
    if (!this.settings) throw new Error('WeChat Pay is not configured');
    return this.settings;
  }
}

function verifiesWith(key: KeyObject, message: string, signature: string): boolean {
  try {
    return verify('RSA-SHA256', Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
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
