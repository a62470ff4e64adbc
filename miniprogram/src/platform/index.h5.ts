import { emulatorUser, mintLoginCode } from './h5-emulator';
import type { Platform } from './types';

/** The browser build: same-origin API, login through the WeChat emulator, no camera scanner. */
const h5: Platform = {
  name: 'h5',
  apiOrigin: '',
  canScan: false,

  identity() {
    return `h5:${emulatorUser()}`;
  },

  login(context) {
    return mintLoginCode(context.emulatorBaseUrl, emulatorUser());
  },

  async scanCode() {
    return null;
  },

  async keepScreenBright() {},

  async protectFromCapture() {},

  onScreenCapture() {
    return () => {};
  },

  async openPrivacyContract() {
    return false;
  },
};

export default h5;
