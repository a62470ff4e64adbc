import { createPublicKey, X509Certificate } from 'node:crypto';
import { Certificate } from '@fidm/x509';
import { createPayKeys, payKeysToEmulatorConfig } from './pay/keys';
import { rsaSign, rsaVerify } from './pay/crypto';

const keys = createPayKeys({ mchid: '1230000109', appids: ['wx1111111111111111'] });

describe('createPayKeys', () => {
  it('has WeChat-shaped ids and a 32-character APIv3 key', () => {
    expect(keys.mchid).toBe('1230000109');
    expect(keys.appids).toEqual(['wx1111111111111111']);
    expect(keys.apiV3Key).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(keys.merchant.serialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(keys.platform.certSerialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(keys.platform.publicKeyId).toMatch(/^PUB_KEY_ID_\d+FAKE$/);
    expect(createPayKeys().mchid).toBe('1900000109');
  });

  it('makes three separate RSA-2048 keypairs: merchant, platform public key, platform certificate', () => {
    const pems = [
      keys.merchant.publicKeyPem,
      keys.platform.publicKeyPem,
      new X509Certificate(keys.platform.certPem).publicKey.export({ type: 'spki', format: 'pem' }),
    ];
    expect(new Set(pems).size).toBe(3);
    for (const pem of pems) expect(createPublicKey(pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    // each private key matches its public half
    const pairs: Array<[string, string]> = [
      [keys.merchant.privateKeyPem, keys.merchant.publicKeyPem],
      [keys.platform.privateKeyPem, keys.platform.publicKeyPem],
      [keys.platform.certPrivateKeyPem, pems[2] as string],
    ];
    for (const [priv, pub] of pairs) expect(rsaVerify(pub, 'x', rsaSign(priv, 'x'))).toBe(true);
  });

  it('writes a certificate @fidm/x509 (what wechatpay-node-v3 uses) parses, with the serial it claims', () => {
    const cert = Certificate.fromPEM(Buffer.from(keys.platform.certPem));
    expect(cert.serialNumber.toUpperCase()).toBe(keys.platform.certSerialNo);
    expect(cert.publicKey.toPEM().replace(/\s/g, '')).toBe(
      new X509Certificate(keys.platform.certPem).publicKey.export({ type: 'spki', format: 'pem' }).toString().replace(/\s/g, ''),
    );
    const node = new X509Certificate(keys.platform.certPem);
    expect(node.serialNumber.toUpperCase()).toBe(keys.platform.certSerialNo);
    expect(node.verify(node.publicKey)).toBe(true); // self-signed
    expect(Date.parse(node.validTo)).toBeGreaterThan(Date.now() + 365 * 86_400_000);
  });

  it('is JSON-serializable and gives the emulator config', () => {
    const copy = JSON.parse(JSON.stringify(keys));
    expect(copy).toEqual(keys);
    expect(payKeysToEmulatorConfig(copy)).toEqual({
      merchants: [
        {
          mchid: keys.mchid,
          appids: keys.appids,
          apiV3Key: keys.apiV3Key,
          serialNo: keys.merchant.serialNo,
          publicKeyPem: keys.merchant.publicKeyPem,
        },
      ],
      platform: keys.platform,
    });
  });

  it('is fast enough to call per test file', () => {
    const started = Date.now();
    const fresh = createPayKeys();
    expect(fresh.apiV3Key).not.toBe(keys.apiV3Key);
    expect(fresh.platform.publicKeyId).not.toBe(keys.platform.publicKeyId);
    expect(Date.now() - started).toBeLessThan(5000); // ≈0.5 s; generous for a loaded 2-core CI machine
  });
});
