/**
 * The H5 build runs in a plain browser, where wx.login and the getPhoneNumber sheet do not exist. In demo and
 * test mode the server tells us where the WeChat emulator is (PublicConfig.emulatorBaseUrl); its dev endpoints
 * mint the same one-time codes WeChat would, so the server's real code-exchange path is exercised.
 */
import Taro from '@tarojs/taro';
import type { RequestPaymentParams, SubscribeDecision } from '@member/shared';

const USER_KEY = 'h5.emulatorUser';

/** The test user's name: `?user=` in the page query or in the hash route's query, remembered across reloads. */
export function emulatorUser(): string {
  const fromUrl = readUserParam();
  if (fromUrl) {
    safeSet(fromUrl);
    return fromUrl;
  }
  const remembered = safeGet();
  if (remembered) return remembered;
  const guest = `guest-${Math.random().toString(36).slice(2, 10)}`;
  safeSet(guest);
  return guest;
}

function readUserParam(): string | null {
  if (typeof location === 'undefined') return null;
  const hashQuery = location.hash.includes('?') ? location.hash.slice(location.hash.indexOf('?') + 1) : '';
  for (const query of [location.search.replace(/^\?/, ''), hashQuery]) {
    const value = new URLSearchParams(query).get('user');
    if (value && value.trim()) return value.trim().slice(0, 64);
  }
  return null;
}

function safeGet(): string | null {
  try {
    return (Taro.getStorageSync(USER_KEY) as string) || null;
  } catch {
    return null;
  }
}

function safeSet(value: string): void {
  try {
    Taro.setStorageSync(USER_KEY, value);
  } catch {
    // Private mode: the name lives for this page only.
  }
}

export class EmulatorUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorUnavailableError';
  }
}

async function postJson<T>(baseUrl: string | null, path: string, body: unknown): Promise<T> {
  if (!baseUrl) throw new EmulatorUnavailableError('浏览器版需要连接微信模拟器，当前环境未配置');
  let response: Response;
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new EmulatorUnavailableError('无法连接微信模拟器，请稍后再试');
  }
  if (!response.ok) throw new EmulatorUnavailableError(`微信模拟器返回错误（${response.status}），请稍后再试`);
  return (await response.json()) as T;
}

/** Stands in for wx.login: `POST /dev/login-code {user}` → `{code, openid}`. */
export async function mintLoginCode(baseUrl: string | null, user: string): Promise<string> {
  const { code } = await postJson<{ code: string; openid: string }>(baseUrl, '/dev/login-code', { user });
  if (!code) throw new EmulatorUnavailableError('微信模拟器未返回登录凭证');
  return code;
}

/** Stands in for the getPhoneNumber sheet: `POST /dev/phone-code {user, phoneNumber}` → `{code}`. */
export async function mintPhoneCode(baseUrl: string | null, user: string, phoneNumber: string): Promise<string> {
  const { code } = await postJson<{ code: string }>(baseUrl, '/dev/phone-code', { user, phoneNumber });
  if (!code) throw new EmulatorUnavailableError('微信模拟器未返回手机号凭证');
  return code;
}

/**
 * Stands in for wx.requestPayment and WeChat's cashier: `POST /dev/pay/request-payment` with the signed
 * parameters and what the member chose. The emulator checks the signature, the prepay and the payer as WeChat
 * would, and on 'pay' sends the server the signed payment notification. Answers WeChat's errMsg.
 */
export async function requestPaymentAtEmulator(
  baseUrl: string | null,
  user: string,
  params: RequestPaymentParams,
  decision: 'pay' | 'cancel',
): Promise<string> {
  const { errMsg } = await postJson<{ errMsg?: string }>(baseUrl, '/dev/pay/request-payment', {
    user,
    appid: params.appId,
    timeStamp: params.timeStamp,
    nonceStr: params.nonceStr,
    package: params.package,
    signType: params.signType,
    paySign: params.paySign,
    decision,
  });
  if (typeof errMsg !== 'string') throw new EmulatorUnavailableError('微信模拟器未返回支付结果');
  return errMsg;
}

/**
 * Stands in for wx.requestSubscribeMessage once the member answered the stand-in sheet: `POST /dev/subscribe`
 * with the same decision for every template. The emulator adds its quota for each accept, as WeChat would, and
 * answers what WeChat's API answers (`{errMsg: "requestSubscribeMessage:ok", <id>: "accept"…}` or a fail).
 */
export async function subscribeAtEmulator(
  baseUrl: string | null,
  user: string,
  tmplIds: string[],
  decision: SubscribeDecision,
): Promise<Record<string, unknown>> {
  const decisions: Record<string, SubscribeDecision> = {};
  for (const id of tmplIds) decisions[id] = decision;
  return postJson<Record<string, unknown>>(baseUrl, '/dev/subscribe', { user, tmplIds, decisions });
}
