// Key material for one emulated WeChat Pay merchant and the emulated platform, generated fresh per call.
// WeChat keeps two platform identities: the newer "WeChat Pay public key" (id PUB_KEY_ID_…) and the older
// platform certificate (a serial number). They are different keys there, so they are different keys here:
// a server that verifies with the wrong one fails against the emulator as it would in production.
// Everything is plain strings, so a start script can write the object to a file and hand the merchant half
// to the server and payKeysToEmulatorConfig(keys) to the emulator.
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import forge from 'node-forge';
import type { PayOptions } from './state';

export interface PayKeys {
  mchid: string;
  /** Apps bound to the merchant; jsapi orders for any other appid get APPID_MCHID_NOT_MATCH. */
  appids: string[];
  /** The APIv3 key: 32 ASCII characters, the AES-256-GCM key for notifications and certificates. */
  apiV3Key: string;
  /** What the server holds: it signs requests and paySign with privateKeyPem; WeChat knows the public half by serialNo. */
  merchant: { serialNo: string; privateKeyPem: string; publicKeyPem: string };
  /** What the emulator holds; the server needs publicKeyId + publicKeyPem (public-key mode) or the certificate. */
  platform: {
    publicKeyId: string;
    publicKeyPem: string;
    privateKeyPem: string;
    certSerialNo: string;
    certPem: string;
    certPrivateKeyPem: string;
  };
}

export const DEFAULT_MCHID = '1900000109';
/** The CLI's default app, so `createPayKeys()` and a bare `main.ts` fit together. */
export const DEFAULT_PAY_APPIDS = ['wx0123456789abcdef'];

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CERT_YEARS = 5;

function rsaPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** 40 upper-case hex digits like WeChat's serials; the top bit clear and the first byte non-zero, so the
 * certificate's positive INTEGER encodes to exactly these 20 bytes and parsers print it back unchanged. */
export function newSerialNo(): string {
  const bytes = randomBytes(20);
  bytes[0] = 0x10 + (bytes[0] % 0x70);
  return bytes.toString('hex').toUpperCase();
}

function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

/** A self-signed X.509 certificate over `publicKeyPem`, as WeChat's platform certificate is used (a carrier
 * of the key plus a serial); node-forge writes the DER so nothing here hand-rolls ASN.1. */
function selfSignedCert(serialNo: string, publicKeyPem: string, privateKeyPem: string): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serialNo;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 86_400_000);
  cert.validity.notAfter = new Date(now + CERT_YEARS * 365 * 86_400_000);
  const name = [
    { name: 'countryName', value: 'CN' },
    { name: 'organizationName', value: 'Tenpay.com' },
    { shortName: 'OU', value: 'Tenpay.com CA Center' },
    { name: 'commonName', value: 'Tenpay.com Root CA (emulator)' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Fresh keys for one merchant and the platform: three RSA-2048 pairs and one certificate. */
export function createPayKeys(opts: { mchid?: string; appids?: string[] } = {}): PayKeys {
  const mchid = opts.mchid ?? DEFAULT_MCHID;
  const merchant = rsaPair();
  const platformKey = rsaPair();
  const certKey = rsaPair();
  const certSerialNo = newSerialNo();
  let apiV3Key = '';
  for (let i = 0; i < 32; i++) apiV3Key += ALNUM[randomInt(ALNUM.length)];
  return {
    mchid,
    appids: [...(opts.appids ?? DEFAULT_PAY_APPIDS)],
    apiV3Key,
    merchant: { serialNo: newSerialNo(), ...merchant },
    platform: {
      // Real ids are PUB_KEY_ID_ plus a long digit string; the FAKE suffix keeps these from passing for real ones.
      publicKeyId: `PUB_KEY_ID_01${mchid}${digits(16)}FAKE`,
      publicKeyPem: platformKey.publicKeyPem,
      privateKeyPem: platformKey.privateKeyPem,
      certSerialNo,
      certPem: selfSignedCert(certSerialNo, certKey.publicKeyPem, certKey.privateKeyPem),
      certPrivateKeyPem: certKey.privateKeyPem,
    },
  };
}

/** The emulator's `pay` option for these keys: one merchant, the platform keys, default settings. */
export function payKeysToEmulatorConfig(keys: PayKeys): PayOptions {
  return {
    merchants: [
      {
        mchid: keys.mchid,
        appids: [...keys.appids],
        apiV3Key: keys.apiV3Key,
        serialNo: keys.merchant.serialNo,
        publicKeyPem: keys.merchant.publicKeyPem,
      },
    ],
    platform: { ...keys.platform },
  };
}
