/**
 * Fallback for targets other than weapp and h5 (Taro picks index.weapp.ts / index.h5.ts by TARO_ENV first).
 * TypeScript type-checks imports of './platform' against this file, so it carries the shared interface.
 */
import type { Platform } from './types';

const unsupported = (): Promise<never> => Promise.reject(new Error('当前环境暂不支持该功能'));

const fallback: Platform = {
  name: 'unsupported',
  apiOrigin: '',
  canScan: false,
  identity: () => 'unsupported',
  login: unsupported,
  scanCode: unsupported,
  keepScreenBright: async () => {},
  protectFromCapture: async () => {},
  onScreenCapture: () => () => {},
  openPrivacyContract: async () => false,
  requestPayment: () => Promise.reject(new Error('当前环境暂不支持微信支付，请在微信中打开')),
  // No subscription messages outside WeChat (and its browser stand-in): nothing decided, nothing to report.
  requestSubscribeMessage: async () => ({}),
};

export default fallback;
