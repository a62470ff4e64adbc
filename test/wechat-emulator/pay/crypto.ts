// The cryptography of WeChat Pay API v3, both directions: SHA256withRSA signatures (requests, responses,
// notifications, paySign), AEAD_AES_256_GCM with the APIv3 key (notifications, certificates), and the
// +08:00 RFC 3339 times WeChat writes. node:crypto only.
import { createCipheriv, randomInt, sign, verify } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BEIJING_OFFSET_MS = 8 * 3_600_000;

export const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';

/** Random alphanumerics: nonces in headers, the 12-character AES-GCM nonce. */
export function nonceStr(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** Base64 SHA256withRSA (PKCS#1 v1.5), the only signature scheme v3 uses. */
export function rsaSign(privateKeyPem: string, message: string | Buffer): string {
  return sign('RSA-SHA256', Buffer.from(message), privateKeyPem).toString('base64');
}

export function rsaVerify(publicKeyPem: string, message: string | Buffer, signature: string): boolean {
  try {
    return verify('RSA-SHA256', Buffer.from(message), publicKeyPem, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * AEAD_AES_256_GCM as WeChat uses it: key = the 32 APIv3 key bytes, a 12-byte ASCII nonce, the given
 * associated data; ciphertext = base64(encrypted bytes ‖ 16-byte tag), which is what the SDKs split apart.
 */
export function aesGcmEncrypt(apiV3Key: string, plaintext: string, associatedData: string): { nonce: string; ciphertext: string } {
  const nonce = nonceStr(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { nonce, ciphertext: encrypted.toString('base64') };
}

/** `2025-05-20T10:00:00+08:00`: WeChat Pay writes every time in Beijing time with an explicit offset. */
export function beijingTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000 + BEIJING_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** yyyyMMddHHmmss in Beijing time, the date part WeChat embeds in prepay and transaction ids. */
export function beijingStamp(ms: number): string {
  return beijingTime(ms).slice(0, 19).replace(/\D/g, '');
}

/**
 * RFC 3339 with a mandatory offset, as time_expire must be (`2018-06-08T10:34:56+08:00`; `Z` and
 * fractions are RFC 3339 too). Returns epoch ms, or undefined when the text is not such a time.
 */
export function parseRfc3339(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.parse(text);
  // Date.parse rolls 2025-02-30 over to March; a real calendar date must survive the round trip.
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (Number.isNaN(ms) || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms;
}
