// Everything the emulated WeChat remembers. Public on purpose: tests may read it directly.
import { Clock } from './clock';
import { openidFor } from './ids';
import { PayState } from './pay/state';
import { ENDPOINTS, type EndpointName } from './protocol';

export interface TemplateConfig {
  id: string;
  /** key → value type ("thing", "amount", …). Omitted, or a key mapped to "", infers from the key name (thing1 → thing). */
  keys?: Record<string, string>;
}

export interface AppConfig {
  appid: string;
  secret: string;
  /** jscode2session returns unionid only for apps bound to an Open Platform account. */
  unionid?: boolean;
  /** Subscribe-message templates of this app. Omitted = any template id is accepted, types inferred from key names. */
  templates?: TemplateConfig[];
  /** Released pages; `page` of subscribe/send and getwxacodeunlimit must be one of them. Omitted = not checked. */
  pages?: string[];
}

export interface TokenRecord {
  token: string;
  appid: string;
  /** /cgi-bin/token and /cgi-bin/stable_token keep separate tokens. */
  pool: 'token' | 'stable';
  issuedAt: number;
  expiresAt: number;
  /** Set when superseded: the token works until then, then answers 40001. */
  revokedAt?: number;
}

export interface LoginCode {
  code: string;
  appid: string;
  user: string;
  openid: string;
  issuedAt: number;
  used: boolean;
}

export interface PhoneCode {
  code: string;
  appid: string;
  user: string;
  openid: string;
  purePhoneNumber: string;
  countryCode: string;
  /**
   * How the answer carries countryCode: WeChat's doc types it a string ("86") and its own example shows the
   * number 86, so clients must take both. Omitted: either, at random, answer by answer.
   */
  countryCodeAs?: 'string' | 'number';
  issuedAt: number;
  used: boolean;
}

export interface InboxMessage {
  /** Exact, as decimal text: real msgids exceed 2^53 (the send answer carries it as a bare JSON number). */
  msgid: string;
  appid: string;
  touser: string;
  template_id: string;
  page?: string;
  miniprogram_state: string;
  lang: string;
  data: Record<string, { value: string }>;
  /** Emulator-clock milliseconds and the same as ISO text. */
  sentAt: number;
  sentTime: string;
}

export interface Fault {
  errcode?: number;
  httpStatus?: number;
  /** Pay endpoints only: the `code` of the `{code, message}` answer (default SYSTEM_ERROR). */
  code?: string;
  delayMs?: number;
  /** How many more calls this fault hits. */
  remaining: number;
}

/** Codes (login and phone) live 5 minutes. */
export const CODE_TTL_MS = 300_000;

export class EmulatorState {
  readonly apps = new Map<string, AppConfig>();
  readonly calls = {} as Record<EndpointName, number>;
  /** openid → who it is; an openid not listed here is unknown to WeChat (40003). */
  readonly users = new Map<string, { appid: string; user: string }>();
  readonly loginCodes = new Map<string, LoginCode>();
  /** openid → times of successful jscode2session calls, for the 100/min limit. */
  readonly loginTimes = new Map<string, number[]>();
  /** openid → session_key of the latest login. */
  readonly sessionKeys = new Map<string, string>();
  readonly tokens = new Map<string, TokenRecord>();
  /** `${pool}:${appid}` → the latest token of that pool. */
  readonly currentTokens = new Map<string, string>();
  /** appid → times of stable_token force_refresh calls. */
  readonly forceRefreshes = new Map<string, number[]>();
  readonly phoneCodes = new Map<string, PhoneCode>();
  /** `${openid} ${template_id}` → sends left (one per "accept"). */
  readonly quota = new Map<string, number>();
  readonly inbox: InboxMessage[] = [];
  readonly faults = new Map<EndpointName, Fault[]>();
  /** subscribe_send capacity per wall-clock second (null: unlimited); see /dev/limits. */
  sendRateLimit: { perSecond: number; second: number; used: number } | null = null;
  private msgSeq = 0;

  /** WeChat Pay: merchants, orders, refunds, notifications. Unconfigured unless the emulator got `pay`. */
  readonly pay: PayState;

  constructor(
    apps: AppConfig[],
    readonly clock: Clock,
    pay?: PayState,
  ) {
    this.pay = pay ?? new PayState(undefined, clock);
    if (apps.length === 0) throw new Error('at least one app (appid + secret) is required');
    for (const app of apps) this.apps.set(app.appid, app);
    this.reset();
  }

  /**
   * Forget every code, token, quota, message, fault, count and pay record, cancel pay timers; rewind the clock.
   * Apps and merchants stay.
   */
  reset(): void {
    this.pay.reset();
    for (const name of ENDPOINTS) this.calls[name] = 0;
    for (const map of [
      this.users,
      this.loginCodes,
      this.loginTimes,
      this.sessionKeys,
      this.tokens,
      this.currentTokens,
      this.forceRefreshes,
      this.phoneCodes,
      this.quota,
      this.faults,
    ])
      map.clear();
    this.inbox.length = 0;
    this.sendRateLimit = null;
    this.msgSeq = 0;
    this.clock.reset();
  }

  defaultApp(): AppConfig {
    return this.apps.values().next().value as AppConfig;
  }

  /** Makes `user` exist in `appid` (as opening the mini-program would) and returns their openid. */
  registerUser(appid: string, user: string): string {
    const openid = openidFor(appid, user);
    this.users.set(openid, { appid, user });
    return openid;
  }

  getQuota(openid: string, templateId: string): number {
    return this.quota.get(`${openid} ${templateId}`) ?? 0;
  }

  addQuota(openid: string, templateId: string, delta: number): void {
    this.quota.set(`${openid} ${templateId}`, this.getQuota(openid, templateId) + delta);
  }

  /**
   * Like WeChat's, beyond 2^53 (294402298110051942 is one seen in the wild), so a client that parses the
   * answer with plain JSON.parse gets a rounded id that matches nothing. Always odd: no double this large is
   * odd, so such a client never gets one right by luck.
   */
  nextMsgId(): string {
    return (294_402_298_110_051_941n + BigInt(++this.msgSeq) * 2n).toString();
  }

  /** Whether one more subscribe_send fits this wall-clock second's capacity (and counts it if so). */
  takeSendCapacity(): boolean {
    const limit = this.sendRateLimit;
    if (!limit) return true;
    const second = Math.floor(Date.now() / 1000);
    if (limit.second !== second) {
      limit.second = second;
      limit.used = 0;
    }
    if (limit.used >= limit.perSecond) return false;
    limit.used++;
    return true;
  }

  /** The fault to apply to this call of `endpoint`, if one is queued. */
  takeFault(endpoint: EndpointName): Fault | undefined {
    const queue = this.faults.get(endpoint);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    if (--fault.remaining <= 0) queue.shift();
    return fault;
  }
}
