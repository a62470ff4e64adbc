import { loadSession, saveSession } from './session';

/** A refused call: the server's stable code and its Chinese message, ready to show. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const SIGNED_OUT = new Set(['AUTH_REQUIRED', 'SESSION_EXPIRED', 'SESSION_REVOKED']);

export interface ApiInit extends Omit<RequestInit, 'body'> {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (e.g. FormData for uploads). */
  body?: BodyInit;
}

async function send(path: string, init: ApiInit = {}): Promise<Response> {
  const session = loadSession();
  const headers = new Headers(init.headers);
  if (session) headers.set('authorization', `Bearer ${session.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  let response: Response;
  try {
    response = await fetch(`/api/${path.replace(/^\//, '')}`, { ...init, headers, body });
  } catch {
    throw new ApiError('NETWORK', '网络连接失败，请检查网络后重试', 0);
  }
  if (!response.ok) {
    const error = (await response.json().catch(() => null)) as { code?: string; message?: string } | null;
    const code = error?.code ?? 'INTERNAL_ERROR';
    // The session ended (expired, or the account lost its role): back to the QR code.
    if (SIGNED_OUT.has(code)) saveSession(null);
    throw new ApiError(code, error?.message ?? '系统繁忙，请稍后再试', response.status);
  }
  return response;
}

/** Calls `/api/<path>` with the console session; the parsed JSON, or ApiError with the server's message. */
export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const response = await send(path, init);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Downloads `/api/<path>` (an export) as a file named by the server, or `fallbackName`. */
export async function download(path: string, fallbackName: string, init: ApiInit = {}): Promise<void> {
  const response = await send(path, init);
  const disposition = response.headers.get('content-disposition') ?? '';
  const named = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const name = named ? decodeURIComponent(named) : fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Query string from the defined values of `params`. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
