import Taro from '@tarojs/taro';
import { API_PREFIX } from '@member/shared';
import platform from '../platform';
import { ApiError } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const TIMEOUT_MS = 15_000;

/** `/members/me/card` → the absolute URL on this platform (weapp: API_BASE_URL; H5: same origin). */
export function apiUrl(path: string): string {
  return `${platform.apiOrigin}${API_PREFIX}${path}`;
}

/** Media the server stores (uploaded avatars) come as server-relative paths; other URLs pass through. */
export function mediaUrl(url: string): string {
  return url.startsWith('/') ? `${platform.apiOrigin}${url}` : url;
}

/**
 * One HTTP round trip, no session logic: resolves with the body on 2xx, rejects with an ApiError otherwise.
 * Taro.request resolves for every HTTP status and rejects only when no answer arrived.
 */
export async function httpRequest<T>(method: HttpMethod, path: string, body?: unknown, token?: string | null): Promise<T> {
  const header: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) header['Content-Type'] = 'application/json';
  if (token) header.Authorization = `Bearer ${token}`;

  let response: Taro.request.SuccessCallbackResult<string | TaroGeneral.IAnyObject | ArrayBuffer>;
  try {
    response = await Taro.request({
      url: apiUrl(path),
      method: method as keyof Taro.request.Method,
      data: body as Taro.request.Option['data'],
      header,
      timeout: TIMEOUT_MS,
      dataType: 'json',
    });
  } catch {
    throw ApiError.client('NETWORK_ERROR');
  }

  const { statusCode, data } = response;
  if (statusCode >= 200 && statusCode < 300) {
    if (statusCode !== 204 && (data === null || data === undefined || typeof data === 'string')) {
      // A 200 without JSON is not our API (e.g. a static server's index.html).
      throw ApiError.client('BAD_RESPONSE', statusCode);
    }
    return data as T;
  }
  throw ApiError.fromResponse(statusCode, data);
}
