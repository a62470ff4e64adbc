import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

/**
 * Phone numbers at rest: AES-256-GCM ciphertext for the rare need to read the number back, and a keyed
 * HMAC for look-ups and the one-member-per-phone unique index. Both keys are derived (HKDF) from one
 * configured secret so that the look-up hash cannot be used to decrypt, and vice versa.
 */
export class PhoneVault {
  private readonly encryptionKey: Buffer;
  private readonly lookupKey: Buffer;

  constructor(masterKeyBase64: string) {
    const master = Buffer.from(masterKeyBase64, 'base64');
    if (master.length !== 32) throw new RangeError('phone encryption key must be 32 bytes');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'member-phone/encryption/v1', 32));
    this.lookupKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'member-phone/lookup/v1', 32));
  }

  /** "+86 13800138000": country code and national number, the form that is hashed and sealed. */
  static normalize(countryCode: string, nationalNumber: string): string {
    return `+${countryCode.replace(/\D/g, '') || '86'} ${nationalNumber.replace(/\D/g, '')}`;
  }

  /** 13800138000 → 138****8000; shorter numbers keep only their first 3 and last 2 digits. */
  static mask(nationalNumber: string): string {
    const digits = nationalNumber.replace(/\D/g, '');
    if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
    return `${digits.slice(0, 3)}****${digits.slice(-2)}`;
  }

  /** The last four digits the console searches by (手机尾号): mainland numbers only, like the mask shows them. */
  static last4(nationalNumber: string): string | null {
    const digits = nationalNumber.replace(/\D/g, '');
    return digits.length >= 11 ? digits.slice(-4) : null;
  }

  lookupHash(normalized: string): string {
    return createHmac('sha256', this.lookupKey).update(normalized).digest('hex');
  }

  seal(normalized: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(normalized, 'utf8'), cipher.final()]);
    return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    const [format, payload] = sealed.split('.');
    if (format !== FORMAT || !payload) throw new Error('unknown phone cipher format');
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
