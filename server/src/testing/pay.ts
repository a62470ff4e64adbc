// Test-only WeChat Pay set-up: merchant and platform keys (generated once per test process: RSA key
// generation is the slow part), the key files the server reads, and a free port for the notify URL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPayKeys, payKeysToEmulatorConfig, type PayKeys } from '../../../test/wechat-emulator/pay/keys';
import { TEST_APP } from './emulator';

export { payKeysToEmulatorConfig, type PayKeys };

let cached: { keys: PayKeys; dir: string } | null = null;

/** The merchant's keys and the platform's, with the server's half written to files as production has them. */
export function testPayKeys(): { keys: PayKeys; dir: string } {
  if (cached) return cached;
  const keys = createPayKeys({ appids: [TEST_APP.appid] });
  const dir = mkdtempSync(join(tmpdir(), 'wechatpay-'));
  writeFileSync(join(dir, 'apiclient_key.pem'), keys.merchant.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'pub_key.pem'), keys.platform.publicKeyPem);
  cached = { keys, dir };
  return cached;
}

/** The server's WeChat Pay environment for these keys; public-key mode unless `certificateOnly`. */
export function payEnv(
  keys: PayKeys,
  dir: string,
  payApiBase: string,
  serverUrl: string,
  options: { certificateOnly?: boolean } = {},
): Record<string, string> {
  return {
    WECHATPAY_API_BASE: payApiBase,
    WECHATPAY_MCHID: keys.mchid,
    WECHATPAY_MERCHANT_SERIAL_NO: keys.merchant.serialNo,
    WECHATPAY_MERCHANT_KEY_FILE: join(dir, 'apiclient_key.pem'),
    WECHATPAY_API_V3_KEY: keys.apiV3Key,
    ...(options.certificateOnly
      ? {}
      : { WECHATPAY_PUBLIC_KEY_ID: keys.platform.publicKeyId, WECHATPAY_PUBLIC_KEY_FILE: join(dir, 'pub_key.pem') }),
    WECHATPAY_NOTIFY_URL: `${serverUrl}/api/pay/notify/transaction`,
    WECHATPAY_REFUND_NOTIFY_URL: `${serverUrl}/api/pay/notify/refund`,
  };
}

/** A port free right now, for a server whose own URL must be in its configuration before it listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
