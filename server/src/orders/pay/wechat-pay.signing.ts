import { createPublicKey, randomBytes, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AppConfig } from '@member/config';
import type { RequestPaymentParams } from '@member/shared';
import type { Logger } from '@nestjs/common';
import Pay from 'wechatpay-node-v3';
import {
  errorCode,
  errorMessage,
  WECHATPAY_HOST,
  WechatPayApiError,
  type HeaderMap,
  type WechatPayHttp,
  type WechatPaySettings,
} from './wechat-pay.http';
import { decryptResource, type EncryptedResource } from './wechat-pay.notifications';

const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
/**
 * The platform certificates are downloaded at most this often, whatever serials arrive (a forged serial must not
 * make us hammer WeChat).
 */
const CERTIFICATE_REFETCH_MS = 60_000;
/** A serial the last download did not contain stays unknown this long: no download for it, however many notifications name it. */
const UNKNOWN_SERIAL_TTL_MS = 10 * 60_000;

/**
 * wechatpay-node-v3's Pay, opened up where the library keeps things protected: the merchant signer (to sign
 * `wx.requestPayment` again for an order already created) and the Authorization builder (for the certificate
 * download, which we make and check ourselves).
 */
export class MerchantPay extends Pay {
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
 * The keys WeChat signs with, and the check of everything it signs (answers and notifications): the WeChat Pay
 * public key and/or the platform certificates, held per client by the serial WeChat names in Wechatpay-Serial,
 * with probes and stale timestamps refused.
 */
export class PlatformKeys {
  /** Platform keys by the serial WeChat names in Wechatpay-Serial. Per instance: two apps in one process must not share them. */
  private readonly verifiers = new Map<string, KeyObject>();
  /** Whether platform certificates are in use (certificate mode, or a migration to the public key); never in public-key-only mode. */
  private readonly usesCertificates: boolean;
  private lastCertificateFetch = 0;
  private certificateFetch: Promise<void> | null = null;
  /** Serials a download did not contain, until when: looked up again only after that. */
  private readonly unknownSerials = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly settings: WechatPaySettings,
    private readonly pay: MerchantPay,
    private readonly http: WechatPayHttp,
    private readonly logger: Logger,
  ) {
    if (settings.publicKeyId && settings.publicKeyFile)
      this.verifiers.set(settings.publicKeyId, createPublicKey(readFileSync(settings.publicKeyFile)));
    this.usesCertificates = settings.platformCertificates ?? settings.publicKeyId === null;
  }

  /** Null when the Wechatpay-* headers prove WeChat sent exactly this body just now; else why not. */
  async verifySignature(headers: HeaderMap, body: string): Promise<string | null> {
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
    const url = `${WECHATPAY_HOST}/v3/certificates`;
    const result = await this.http.send('GET', url, undefined, {
      Authorization: this.pay.authorization('GET', url),
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
        decryptResource(this.settings.apiV3Key, {
          ciphertext: encrypted.ciphertext,
          nonce: encrypted.nonce,
          associated_data: encrypted.associated_data,
        }),
      );
      if (certificate.serialNumber.toUpperCase() !== item.serial_no.toUpperCase())
        throw new Error(`certificate listed as ${item.serial_no} has serial ${certificate.serialNumber}`);
      // Not (or no longer) valid: never a verifier.
      if (new Date(certificate.validFrom) > now || new Date(certificate.validTo) < now) continue;
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
}

function verifiesWith(key: KeyObject, message: string, signature: string): boolean {
  try {
    return verify('RSA-SHA256', Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
