// The envelope and plumbing shared by every route: WeChat's {errcode, errmsg} errors, the
// access_token check, JSON bodies. pay/ reuses Route/Ctx/Halt with its own envelope (pay/protocol.ts).
import type { IncomingHttpHeaders } from 'node:http';
import { newRid } from './ids';
import type { AppConfig, EmulatorState, TokenRecord } from './state';

/** WeChat Pay endpoints: their faults answer pay-style (`{code, message}`, a real HTTP status). */
export const PAY_ENDPOINTS = ['pay_jsapi', 'pay_query', 'pay_close', 'pay_refund', 'pay_refund_query', 'pay_certificates'] as const;

/** Endpoints that are counted in /dev/stats and can have faults injected. */
export const ENDPOINTS = [
  'jscode2session',
  'token',
  'stable_token',
  'getuserphonenumber',
  'subscribe_send',
  'getwxacodeunlimit',
  ...PAY_ENDPOINTS,
] as const;
export type EndpointName = (typeof ENDPOINTS)[number];
export type PayEndpointName = (typeof PAY_ENDPOINTS)[number];

export function isPayEndpoint(name: EndpointName | undefined): name is PayEndpointName {
  return (PAY_ENDPOINTS as readonly string[]).includes(name as string);
}

export interface Reply {
  status?: number;
  json?: unknown;
  body?: Buffer | string;
  contentType?: string;
  /** Extra response headers (WeChat Pay signs its responses in headers). */
  headers?: Record<string, string>;
}

export interface Ctx {
  method: string;
  /** The request target as sent, path and query: WeChat Pay signs exactly this. */
  url: string;
  path: string;
  /** Named groups of the route's `pattern` (decoded), e.g. out_trade_no. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  state: EmulatorState;
}

export interface Route {
  path: string;
  /** For paths with parameters (`/v3/pay/transactions/id/{transaction_id}`); tried after exact paths. */
  pattern?: RegExp;
  /** Allowed methods; omitted = any (WeChat's GET endpoints also answer POST). */
  methods?: string[];
  endpoint?: EndpointName;
  handle(ctx: Ctx): Reply | Promise<Reply>;
}

/** Thrown by helpers to end a request early with `reply`; the dispatcher sends it. */
export class Halt extends Error {
  constructor(readonly reply: Reply) {
    super('halt');
  }
}

/** WeChat answers errors with HTTP 200 and an errmsg that always ends with a rid. */
export function wxError(errcode: number, message: string): Reply {
  return { json: { errcode, errmsg: `${message}, rid: ${newRid()}` } };
}

export function wxOk(extra: Record<string, unknown> = {}): Reply {
  return { json: { errcode: 0, errmsg: 'ok', ...extra } };
}

/** The usual errmsg for an errcode, for faults injected without a message. */
export const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40029: 'invalid code',
  42001: 'access_token expired',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mostly 100 times per minute',
  47001: 'data format error',
};

/** Body of a WeChat POST endpoint: must be a JSON object, else 47001 as WeChat answers. */
export function jsonObject(ctx: Ctx): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    throw new Halt(wxError(47001, ERRMSG[47001]));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Halt(wxError(47001, ERRMSG[47001]));
  return value as Record<string, unknown>;
}

/**
 * The `?access_token=` check every business API does first: missing → 41001, unknown or
 * superseded → 40001, past its 7200 s → 42001. Returns the app the token belongs to.
 */
export function requireToken(ctx: Ctx): { app: AppConfig; token: TokenRecord } {
  const value = ctx.query.get('access_token');
  if (!value) throw new Halt(wxError(41001, 'access_token missing'));
  const token = ctx.state.tokens.get(value);
  if (!token) throw new Halt(wxError(40001, ERRMSG[40001]));
  const now = ctx.state.clock.now();
  // A token superseded before its natural end is "not latest" (40001); one that ran out is 42001.
  if (token.revokedAt !== undefined && token.revokedAt <= now && token.revokedAt < token.expiresAt) {
    throw new Halt(wxError(40001, ERRMSG[40001]));
  }
  if (token.expiresAt <= now) throw new Halt(wxError(42001, ERRMSG[42001]));
  const app = ctx.state.apps.get(token.appid);
  if (!app) throw new Halt(wxError(40001, ERRMSG[40001]));
  return { app, token };
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
