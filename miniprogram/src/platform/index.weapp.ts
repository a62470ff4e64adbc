import Taro from '@tarojs/taro';
import { MAX_TEMPLATES_PER_SUBSCRIBE_CALL } from '@member/shared';
import { decisionsOf } from '../utils/messages';
import { paymentOutcomeOf } from '../utils/pay';
import type { Platform } from './types';

/** Brightness before the member code raised it; restored when the code leaves the screen. */
let savedBrightness: number | null = null;

function errMsgOf(error: unknown): string {
  if (error && typeof error === 'object' && 'errMsg' in error) return String((error as { errMsg: unknown }).errMsg);
  return error instanceof Error ? error.message : String(error);
}

const weapp: Platform = {
  name: 'weapp',
  apiOrigin: API_BASE_URL,
  canScan: true,

  identity() {
    // One WeChat account per mini-program install: the openid is decided by the server.
    return 'wechat';
  },

  async login() {
    const result = await Taro.login();
    if (!result.code) throw new Error(`wx.login failed: ${result.errMsg}`);
    return result.code;
  },

  async scanCode() {
    try {
      const result = await Taro.scanCode({ onlyFromCamera: true, scanType: ['barCode', 'qrCode'] });
      return result.result || null;
    } catch (error) {
      if (/cancel/i.test(errMsgOf(error))) return null;
      throw error;
    }
  },

  async keepScreenBright(on) {
    try {
      if (on) {
        if (savedBrightness === null) savedBrightness = (await Taro.getScreenBrightness()).value;
        await Taro.setScreenBrightness({ value: 1 });
        await Taro.setKeepScreenOn({ keepScreenOn: true });
      } else if (savedBrightness !== null) {
        const value = savedBrightness;
        savedBrightness = null;
        await Taro.setScreenBrightness({ value });
        await Taro.setKeepScreenOn({ keepScreenOn: false });
      }
    } catch {
      // Brightness is a courtesy; some devices refuse it and the code still works.
    }
  },

  async protectFromCapture(on) {
    try {
      await Taro.setVisualEffectOnCapture({ visualEffect: on ? 'hidden' : 'none' });
    } catch {
      // Needs base library 3.3.0+ (iOS 16+ for recordings); older clients simply show the code.
    }
  },

  onScreenCapture(listener) {
    const callback = () => listener();
    Taro.onUserCaptureScreen(callback);
    return () => Taro.offUserCaptureScreen(callback);
  },

  async requestPayment(params) {
    try {
      await Taro.requestPayment({
        timeStamp: params.timeStamp,
        nonceStr: params.nonceStr,
        package: params.package,
        signType: params.signType,
        paySign: params.paySign,
      });
      return 'paid';
    } catch (error) {
      // "requestPayment:fail cancel": the member closed the cashier; the order stays payable.
      const outcome = paymentOutcomeOf(errMsgOf(error));
      if (outcome.kind === 'failed') throw new Error(outcome.message);
      return outcome.kind;
    }
  },

  async requestSubscribeMessage(templateIds) {
    const tmplIds = templateIds.slice(0, MAX_TEMPLATES_PER_SUBSCRIBE_CALL);
    if (tmplIds.length === 0) return {};
    try {
      // Reaches WeChat before this function's first await, so it still counts as part of the caller's tap.
      // (Taro's typing wants Alipay's entityIds too; WeChat takes tmplIds only.)
      const result = await Taro.requestSubscribeMessage({ tmplIds } as Taro.requestSubscribeMessage.Option);
      return decisionsOf(result, tmplIds);
    } catch {
      // "requestSubscribeMessage:fail …": the main switch is off (20004), no network, not from a tap… Nothing
      // was decided; the member's action goes on and nothing alarming is shown.
      return {};
    }
  },

  openPrivacyContract() {
    return new Promise((resolve) => {
      Taro.openPrivacyContract({ success: () => resolve(true), fail: () => resolve(false) });
    });
  },
};

export default weapp;
