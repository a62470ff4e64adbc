import type { AppConfig } from '@member/config';

/** WeChat Pay's host, hard-coded in wechatpay-node-v3; our HTTP adapter swaps it for the configured base URL. */
export const WECHATPAY_HOST = 'https://api.mch.weixin.qq.com';

export type WechatPaySettings = NonNullable<AppConfig['wechatPay']>;

/** Header names in lower case, as fetch and Fastify give them. */
export type HeaderMap = Record<string, string | undefined>;

/** An answer as it came: the raw text is kept because WeChat's signature covers exactly those bytes. */
export interface HttpOutput {
  status: number;
  data?: unknown;
  headers: HeaderMap;
  text: string;
}

/** WeChat answered with an error body `{code, message}` (e.g. ORDERPAID, NOT_ENOUGH, RESOURCE_NOT_EXISTS). */
export class WechatPayApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`WeChat Pay ${operation}: HTTP ${status} ${code} ${detail}`);
    this.name = 'WechatPayApiError';
  }
}

/** No trustworthy answer: network failure, timeout, a 5xx or 429, or a response whose signature does not verify. */
export class WechatPayUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`WeChat Pay ${operation} unavailable: ${reason}`);
    this.name = 'WechatPayUnavailableError';
  }
}

/**
 * How requests reach WeChat Pay: the library's HTTP hook (and our certificate download) goes through here, so
 * every request gets the configured base URL, our timeout, and in public-key mode the key id WeChat must sign
 * its answer with.
 */
export class WechatPayHttp {
  constructor(
    private readonly config: AppConfig,
    private readonly settings: WechatPaySettings,
  ) {}

  /** Same signed path, our base URL, our timeout; keeps the raw body for verification. */
  async send(
    method: 'GET' | 'POST',
    url: string,
    body: Record<string, unknown> | undefined,
    headers: Record<string, string>,
  ): Promise<HttpOutput> {
    const target = url.startsWith(WECHATPAY_HOST) ? `${this.config.wechat.payApiBaseUrl}${url.slice(WECHATPAY_HOST.length)}` : url;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        // The library signed JSON.stringify of this very object, so the bytes sent are the bytes signed.
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          ...headers,
          'Accept-Encoding': 'identity',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          // Public-key mode: without this header WeChat signs its answer with the platform certificate, which a
          // public-key-only merchant cannot verify (and once certificates are retired, every call would fail).
          ...(this.settings.publicKeyId ? { 'Wechatpay-Serial': this.settings.publicKeyId } : {}),
        },
        signal: AbortSignal.timeout(this.config.wechat.requestTimeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message;
      throw new WechatPayUnavailableError(new URL(target).pathname, reason);
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    const answerHeaders: HeaderMap = {};
    response.headers.forEach((value, key) => {
      answerHeaders[key] = value;
    });
    return { status: response.status, data, headers: answerHeaders, text };
  }
}

/** WeChat's error code from an error body, or HTTP_<status> when the body has none. */
export function errorCode(result: HttpOutput): string {
  return String((result.data as { code?: unknown } | undefined)?.code ?? `HTTP_${result.status}`);
}

export function errorMessage(result: HttpOutput): string {
  return String((result.data as { message?: unknown } | undefined)?.message ?? '');
}
