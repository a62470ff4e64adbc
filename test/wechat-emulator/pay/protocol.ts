// WeChat Pay API v3's envelope: errors are real HTTP statuses with `{code, message, detail?}`, every
// request carries a signed Authorization header, and every answer (errors too) is signed in Wechatpay-*
// headers over `${ts}\n${nonce}\n${body}\n` with the platform key the request's Wechatpay-Serial asks for.
import { type Ctx, Halt, type Reply, type Route } from '../protocol';
import type { Fault } from '../state';
import { rsaVerify } from './crypto';
import { platformSignature } from './envelope';
import { newRequestId } from './ids';
import type { PayMerchantConfig, PayState } from './state';

/** Authorization timestamps may be this far from WeChat's clock. */
const MAX_SKEW_S = 300;

export function payError(status: number, code: string, message: string, detail?: Record<string, unknown>): Halt {
  return new Halt({ status, json: detail === undefined ? { code, message } : { code, message, detail } });
}

/** PARAM_ERROR worded like WeChat's: it names the JSON pointer of the field and the rule that failed. */
export function paramError(pointer: string, label: string, issue: string, value?: unknown): Halt {
  const location = pointer.startsWith('/body') ? 'body' : pointer.startsWith('/query') ? 'query' : 'path';
  const field = pointer.replace(/^\/(body|query|path)/, '');
  return payError(400, 'PARAM_ERROR', `输入源“${pointer}”映射到值字段“${label}”${issue}`, {
    field,
    location,
    ...(value === undefined ? {} : { value }),
  });
}

/**
 * Signs the reply as WeChat does: the JSON is serialized here so the signature covers the exact bytes sent;
 * the key follows the request's Wechatpay-Serial header (public key when it names it, else the certificate).
 */
export function signReply(pay: PayState, reply: Reply, requestSerial: string | undefined): Reply {
  const signer = pay.answerSigner(requestSerial);
  let body = '';
  const out: Reply = { ...reply, headers: { ...reply.headers, 'Request-ID': newRequestId() } };
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    out.json = undefined;
    out.body = body;
    out.contentType = 'application/json; charset=utf-8';
  } else if (reply.body !== undefined) {
    body = reply.body.toString();
  }
  if (!signer) return out; // no pay configured: nothing to sign with, as for an unknown merchant
  out.headers = { ...out.headers, ...platformSignature(signer.privateKeyPem, signer.serial, body, Math.floor(pay.clock.baseNow() / 1000)) };
  return out;
}

/** The five Wechatpay-* headers over `body`, with a fresh timestamp and nonce, signed with `signer`. */
export function signatureHeaders(pay: PayState, signer: { serial: string; privateKeyPem: string }, body: string): Record<string, string> {
  return platformSignature(signer.privateKeyPem, signer.serial, body, Math.floor(pay.clock.baseNow() / 1000));
}

/** WeChat's wording for the answers tests inject most, so a fault reads like the real thing. */
const FAULT_MESSAGES: Record<string, string> = {
  SYSTEM_ERROR: '系统异常，请稍后重试',
  USERPAYING: '用户支付中，需要输入密码',
  ORDER_CLOSED: '订单已关闭',
  TRADE_ERROR: '交易错误',
  ORDERPAID: '订单已支付',
  NOT_ENOUGH: '基本账户余额不足，请充值后重新发起',
  FREQUENCY_LIMITED: '频率超限，请降低请求接口频率',
  RATELIMIT_EXCEEDED: '请求超过频率限制',
  PARAM_ERROR: '参数错误',
  INVALID_REQUEST: '参数符合参数格式，但不符合业务规则',
};

/**
 * What an injected fault on a pay endpoint answers: JSON `{code, message}` with the fault's status, signed
 * with the key the request asked for (a 202 USERPAYING is a 2xx the merchant must verify like any other).
 */
export function payFaultReply(pay: PayState, fault: Fault, requestSerial?: string | string[]): Reply {
  const code = fault.code ?? 'SYSTEM_ERROR';
  const serial = Array.isArray(requestSerial) ? requestSerial[0] : requestSerial;
  return signReply(pay, { status: fault.httpStatus ?? 500, json: { code, message: FAULT_MESSAGES[code] ?? 'injected fault' } }, serial);
}

/**
 * Checks `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",signature="..",timestamp="..",serial_no=".."`
 * over `${METHOD}\n${path?query}\n${timestamp}\n${nonce}\n${raw body}\n` (GET: empty body) with the
 * merchant's registered key. Any failure is 401 SIGN_ERROR, as WeChat answers.
 */
export function authenticate(ctx: Ctx, pay: PayState): PayMerchantConfig {
  const header = ctx.headers.authorization ?? '';
  const m = /^WECHATPAY2-SHA256-RSA2048\s+(.+)$/.exec(header);
  const fields: Record<string, string> = {};
  if (m) for (const [, key, value] of m[1].matchAll(/(\w+)="([^"]*)"/g)) fields[key] = value;
  const { mchid, nonce_str: nonce, signature, timestamp, serial_no: serial } = fields;
  if (!mchid || !nonce || !signature || !timestamp || !serial) {
    throw payError(401, 'SIGN_ERROR', 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
  }
  const merchant = pay.merchants.get(mchid);
  if (!merchant) throw payError(401, 'SIGN_ERROR', `商户号${mchid}不存在或未开通APIv3，请检查Authorization中的mchid`);
  if (serial.toUpperCase() !== merchant.serialNo.toUpperCase()) {
    throw payError(401, 'SIGN_ERROR', '商户证书序列号有误。请使用签名私钥匹配的证书序列号');
  }
  // The emulator clock, or the base clock: a /dev/clock jump can't move the server's own clock.
  const ts = Number(timestamp);
  const skew = (now: number) => Math.abs(ts - Math.floor(now / 1000));
  if (!/^\d{1,12}$/.test(timestamp) || Math.min(skew(pay.clock.now()), skew(pay.clock.baseNow())) > MAX_SKEW_S) {
    throw payError(401, 'SIGN_ERROR', 'Http头Authorization中的timestamp与当前时间相差超过5分钟，请检查系统时间');
  }
  const head = `${ctx.method}\n${ctx.url}\n${timestamp}\n${nonce}\n`;
  const message = Buffer.concat([Buffer.from(head), ctx.rawBody, Buffer.from('\n')]);
  if (!rsaVerify(merchant.publicKeyPem, message, signature)) {
    const text = message.toString('utf8');
    throw payError(401, 'SIGN_ERROR', '签名错误，请检查后再试', {
      detail: { issue: 'sign not match' },
      field: 'signature',
      location: 'authorization',
      sign_information: {
        method: ctx.method,
        url: ctx.url,
        sign_message_length: message.length,
        truncated_sign_message: text.length > 64 ? `${text.slice(0, 64)}...` : text,
      },
    });
  }
  return merchant;
}

export interface PayRouteSpec {
  method: 'GET' | 'POST';
  path?: string;
  pattern?: RegExp;
  endpoint: NonNullable<Route['endpoint']>;
  handle(ctx: Ctx, merchant: PayMerchantConfig, pay: PayState): Reply;
}

/** A merchant API route: method check, Authorization check, the handler, then the signature, for errors too. */
export function payRoute(spec: PayRouteSpec): Route {
  return {
    path: spec.path ?? spec.pattern?.source ?? '',
    pattern: spec.pattern,
    endpoint: spec.endpoint,
    handle(ctx) {
      const pay = ctx.state.pay;
      let reply: Reply;
      try {
        if (ctx.method !== spec.method) throw payError(400, 'INVALID_REQUEST', 'HTTP 请求不符合微信支付 APIv3 接口规则：请求方法错误');
        const merchant = authenticate(ctx, pay);
        reply = spec.handle(ctx, merchant, pay);
      } catch (err) {
        if (!(err instanceof Halt)) {
          pay.log?.(`pay error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          reply = { status: 500, json: { code: 'SYSTEM_ERROR', message: '系统异常，请稍后重试' } };
        } else {
          reply = err.reply;
        }
      }
      return signReply(pay, reply, ctx.headers['wechatpay-serial'] as string | undefined);
    },
  };
}

/** The JSON body of a merchant request: an object, else PARAM_ERROR. */
export function payJson(ctx: Ctx): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    throw payError(400, 'PARAM_ERROR', '请求体JSON格式错误，无法解析');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw payError(400, 'PARAM_ERROR', '请求体必须是JSON对象');
  return value as Record<string, unknown>;
}

/** The request's mchid (body or query) must be the one that signed it. */
export function sameMerchant(value: unknown, merchant: PayMerchantConfig, pointer: string): void {
  if (typeof value !== 'string' || value === '') throw paramError(pointer, '直连商户号', '必填性规则校验失败，此字段为必填项');
  if (value !== merchant.mchid) {
    throw payError(400, 'INVALID_REQUEST', `${pointer.replace(/^\/(body|query)\//, '')}与Authorization中的商户号不一致`);
  }
}
