import { createDecipheriv } from 'node:crypto';

const GCM_TAG_BYTES = 16;

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

/** What WeChat encrypts under the APIv3 key: a notification's resource, a downloaded platform certificate. */
export interface EncryptedResource {
  algorithm?: string;
  ciphertext?: string;
  associated_data?: string;
  nonce?: string;
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

/**
 * The envelope of a notification whose signature has already been verified: an encrypted WeChat Pay event,
 * its resource decrypted with the tag checked and parsed. Throws NotificationRejected for anything else.
 */
export function openNotification<T>(apiV3Key: string, rawBody: string): VerifiedNotification<T> {
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
      decryptResource(apiV3Key, {
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
