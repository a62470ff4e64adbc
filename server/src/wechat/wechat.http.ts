import { parseJsonLosslessly } from './lossless-json';
import { WechatApiError, WechatUnavailableError } from './wechat.errors';

/**
 * The HTTP envelope of api.weixin.qq.com: JSON `{errcode, errmsg}`, where a missing errcode means success
 * (jscode2session stopped sending it in 2022). Integers beyond 2^53 (msgid) arrive as exact strings.
 * Network failures and non-JSON answers become WechatUnavailableError; a non-zero errcode becomes WechatApiError.
 */
export class WechatHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  getJson<T>(endpoint: string, path: string, query: Record<string, string>): Promise<T> {
    return this.request<T>(endpoint, `${path}?${new URLSearchParams(query).toString()}`, { method: 'GET' });
  }

  postJson<T>(endpoint: string, pathWithQuery: string, body: unknown): Promise<T> {
    return this.request<T>(endpoint, pathWithQuery, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(endpoint: string, pathWithQuery: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${pathWithQuery}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new WechatUnavailableError(endpoint, (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message);
    }
    const text = await response.text();
    if (!response.ok) throw new WechatUnavailableError(endpoint, `HTTP ${response.status}`);
    let body: { errcode?: number; errmsg?: string } & Record<string, unknown>;
    try {
      body = parseJsonLosslessly(text) as typeof body;
    } catch {
      throw new WechatUnavailableError(endpoint, 'answer is not JSON');
    }
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0) throw new WechatApiError(endpoint, errcode, String(body.errmsg ?? ''));
    return body as T;
  }
}
