import Taro from '@tarojs/taro';
import { formatFen } from '@member/shared';
import { paymentOutcomeOf } from '../utils/pay';
import { emulatorUser, mintLoginCode, requestPaymentAtEmulator } from './h5-emulator';
import type { Platform } from './types';

/**
 * The browser build: same-origin API, login through the WeChat emulator, no camera scanner, and a modal as
 * the WeChat cashier (the emulator checks the signed parameters and pays or cancels).
 */
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

  async requestPayment(params, context) {
    const amount = formatFen(context.amountFen, { keepCents: true });
    const choice = await Taro.showModal({
      title: '微信支付（模拟收银台）',
      content: context.storeName ? `向「${context.storeName}」支付 ${amount}` : `支付 ${amount}`,
      confirmText: '确认支付',
      cancelText: '取消',
    });
    const errMsg = await requestPaymentAtEmulator(context.emulatorBaseUrl, emulatorUser(), params, choice.confirm ? 'pay' : 'cancel');
    const outcome = paymentOutcomeOf(errMsg);
    if (outcome.kind === 'failed') throw new Error(outcome.message);
    return outcome.kind;
  },
};

export default h5;
