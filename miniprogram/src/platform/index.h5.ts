import Taro from '@tarojs/taro';
import { formatFen, MAX_TEMPLATES_PER_SUBSCRIBE_CALL } from '@member/shared';
import { decisionsOf, subscribeSheetText } from '../utils/messages';
import { paymentOutcomeOf } from '../utils/pay';
import { emulatorUser, mintLoginCode, requestPaymentAtEmulator, subscribeAtEmulator } from './h5-emulator';
import type { Platform } from './types';

/**
 * The browser build: same-origin API, login through the WeChat emulator, no camera scanner, and modals as
 * WeChat's cashier (the emulator checks the signed parameters and pays or cancels) and as its subscription
 * sheet (the emulator records the accepts as WeChat's quota).
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

  async requestSubscribeMessage(templateIds, titles, context) {
    const tmplIds = templateIds.slice(0, MAX_TEMPLATES_PER_SUBSCRIBE_CALL);
    if (tmplIds.length === 0) return {};
    // One answer for all the templates (WeChat's sheet can also tick them one by one); 取消 answers 'reject' for
    // each, as WeChat's does.
    let allowed: boolean;
    try {
      const choice = await Taro.showModal({
        title: '订阅消息',
        content: subscribeSheetText(tmplIds.map((id) => titles[id] || '消息通知')),
        confirmText: '允许',
        cancelText: '取消',
      });
      allowed = choice.confirm;
    } catch {
      return {}; // no sheet shown, nothing decided
    }
    try {
      const answer = await subscribeAtEmulator(context.emulatorBaseUrl, emulatorUser(), tmplIds, allowed ? 'accept' : 'reject');
      return decisionsOf(answer, tmplIds);
    } catch {
      // No emulator to tell: nothing was decided, as when WeChat's call fails.
      return {};
    }
  },
};

export default h5;
