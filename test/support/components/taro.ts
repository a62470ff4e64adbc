/**
 * @tarojs/taro for component tests: Taro's real API needs the app's router and page stack, which a component
 * rendered alone does not have. Navigation and feedback are recorded (jest.fn) for tests to assert; page
 * lifecycle hooks do nothing (a component test has no page to show or hide).
 */
import { jest } from '@jest/globals';

const resolved = () => Promise.resolve({ errMsg: 'ok' });
const listeners = () => undefined;

const Taro = {
  navigateTo: jest.fn(resolved),
  redirectTo: jest.fn(resolved),
  switchTab: jest.fn(resolved),
  reLaunch: jest.fn(resolved),
  navigateBack: jest.fn(resolved),
  showToast: jest.fn(resolved),
  showModal: jest.fn(() => Promise.resolve({ confirm: true, cancel: false })),
  makePhoneCall: jest.fn(resolved),
  setClipboardData: jest.fn(resolved),
  getScreenBrightness: jest.fn(() => Promise.resolve({ value: 0.5 })),
  setScreenBrightness: jest.fn(resolved),
  stopPullDownRefresh: jest.fn(),
  getStorageSync: jest.fn(() => ''),
  setStorageSync: jest.fn(),
  removeStorageSync: jest.fn(),
  onAppShow: jest.fn(listeners),
  offAppShow: jest.fn(listeners),
  onAppHide: jest.fn(listeners),
  offAppHide: jest.fn(listeners),
  getEnv: () => 'WEB',
  ENV_TYPE: { WEAPP: 'WEAPP', WEB: 'WEB' },
};

export const useDidShow = (_: () => void) => undefined;
export const useDidHide = (_: () => void) => undefined;
export const usePullDownRefresh = (_: () => void) => undefined;
export const useLaunch = (_: () => void) => undefined;
export const useRouter = () => ({ params: {} as Record<string, string>, path: '' });

export default Taro;
