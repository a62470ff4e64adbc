import type { Clock } from '../common/clock';
import { AccessTokenProvider } from './access-token.provider';
import { TOKEN_REJECTED_ERRCODES, WechatApiError } from './wechat.errors';
import { WechatHttp } from './wechat.http';

export interface WechatClientConfig {
  appid: string;
  secret: string;
  apiBaseUrl: string;
  tokenRefreshAheadSeconds: number;
  requestTimeoutMs: number;
}

export interface WechatSession {
  openid: string;
  unionid: string | null;
  /** Stays in the server: never returned to the client, never logged. */
  sessionKey: string;
}

export interface WechatPhone {
  /** Digits only, without the country code, e.g. "13800138000". */
  purePhoneNumber: string;
  countryCode: string;
}

/**
 * countryCode as digits ("86"). WeChat's doc types it a string but its own example shows the number 86, and
 * both arrive; a "+86" is taken too. Missing is taken as 86, the mainland, as before.
 * Anything else is not WeChat's protocol: better refused than stored as some member's phone.
 */
export function countryCodeOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return '86';
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^\+/, '') : '';
  if (!/^[1-9]\d{0,3}$/.test(text)) throw new WechatApiError('getuserphonenumber', -1, 'countryCode is not 1-4 digits');
  return text;
}

/**
 * Our client of WeChat's server API. The base URL comes from config: WeChat in production, the emulator in
 * tests and the demo; the same code talks to both.
 */
export class WechatClient {
  private readonly http: WechatHttp;
  readonly tokens: AccessTokenProvider;

  constructor(
    private readonly config: WechatClientConfig,
    clock: Clock,
  ) {
    this.http = new WechatHttp(config.apiBaseUrl, config.requestTimeoutMs);
    this.tokens = new AccessTokenProvider(this.http, config, config.tokenRefreshAheadSeconds, clock);
  }

  /** wx.login() code → openid and session key (code2Session). */
  async code2Session(code: string): Promise<WechatSession> {
    const body = await this.http.getJson<{ openid: string; unionid?: string; session_key: string }>(
      'jscode2session',
      '/sns/jscode2session',
      {
        appid: this.config.appid,
        secret: this.config.secret,
        js_code: code,
        grant_type: 'authorization_code',
      },
    );
    if (typeof body.openid !== 'string' || !body.openid) throw new WechatApiError('jscode2session', -1, 'no openid in answer');
    return { openid: body.openid, unionid: body.unionid ?? null, sessionKey: body.session_key };
  }

  /** getPhoneNumber button code → the member's phone number. */
  async getPhoneNumber(code: string, openid?: string): Promise<WechatPhone> {
    const body = await this.callWithToken<{ phone_info?: { purePhoneNumber?: string; countryCode?: string | number } }>(
      'getuserphonenumber',
      '/wxa/business/getuserphonenumber',
      openid ? { code, openid } : { code },
    );
    const info = body.phone_info;
    if (!info?.purePhoneNumber) throw new WechatApiError('getuserphonenumber', -1, 'no phone_info in answer');
    return { purePhoneNumber: String(info.purePhoneNumber), countryCode: countryCodeOf(info.countryCode) };
  }

  /** POST to an `?access_token=` API; a rejected token is replaced once and the call repeated. */
  async callWithToken<T>(endpoint: string, path: string, body: unknown): Promise<T> {
    const token = await this.tokens.getToken();
    try {
      return await this.http.postJson<T>(endpoint, `${path}?access_token=${encodeURIComponent(token)}`, body);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !TOKEN_REJECTED_ERRCODES.has(error.errcode)) throw error;
      this.tokens.invalidate(token);
      const fresh = await this.tokens.getToken();
      return this.http.postJson<T>(endpoint, `${path}?access_token=${encodeURIComponent(fresh)}`, body);
    }
  }
}
