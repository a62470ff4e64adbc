// The dev API: not WeChat. It stands in for the WeChat client (wx.login, the getPhoneNumber button,
// wx.requestSubscribeMessage) and lets tests move the clock, inject faults and read what was sent.
// The pay part (wx.requestPayment, notifications) is in pay/dev.ts.
// Errors here are plain HTTP 400 {error}, except /dev/subscribe, which answers like the client API.
import { ENDPOINTS, type Ctx, type EndpointName, Halt, isPayEndpoint, type Reply, type Route } from '../protocol';
import { newLoginCode, newPhoneCode } from '../ids';
import type { AppConfig, Fault } from '../state';
import { findTemplate } from './subscribe';

const MAX_TMPL_IDS = 3; // the current doc says 5; older clients and the forum say 3, so cap at 3
const DECISIONS = ['accept', 'reject', 'ban', 'filter'];

const isInt = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

export const bad = (error: string): Halt => new Halt({ status: 400, json: { error } });

export function body(ctx: Ctx): Record<string, unknown> {
  const text = ctx.rawBody.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('body must be a JSON object');
  return value as Record<string, unknown>;
}

function appOf(ctx: Ctx, appid: unknown): AppConfig {
  if (appid === undefined) return ctx.state.defaultApp();
  const app = typeof appid === 'string' ? ctx.state.apps.get(appid) : undefined;
  if (!app) throw bad(`unknown appid ${String(appid)}`);
  return app;
}

export function userOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw bad('user (a non-empty name) is required');
  return value;
}

/** What wx.login() gives the named user: a fresh code, plus their openid for the test's convenience. */
function loginCode(ctx: Ctx): Reply {
  const b = body(ctx);
  const app = appOf(ctx, b.appid);
  const user = userOf(b.user);
  const openid = ctx.state.registerUser(app.appid, user);
  const code = newLoginCode();
  ctx.state.loginCodes.set(code, { code, appid: app.appid, user, openid, issuedAt: ctx.state.clock.now(), used: false });
  return { json: { code, openid } };
}

/** What the getPhoneNumber button gives: a code the server exchanges for this number. */
function phoneCode(ctx: Ctx): Reply {
  const b = body(ctx);
  const app = appOf(ctx, b.appid);
  const user = userOf(b.user);
  const countryCode = String(b.countryCode ?? '86');
  const phone = b.phoneNumber;
  if (!/^\d{1,4}$/.test(countryCode)) throw bad('countryCode must be 1-4 digits');
  const pattern = countryCode === '86' ? /^1[3-9]\d{9}$/ : /^\d{4,15}$/;
  if (typeof phone !== 'string' || !pattern.test(phone)) {
    throw bad('phoneNumber must be the pure number, 11 digits starting with 1 for countryCode 86');
  }
  const countryCodeAs = b.countryCodeAs;
  if (countryCodeAs !== undefined && countryCodeAs !== 'string' && countryCodeAs !== 'number')
    throw bad("countryCodeAs must be 'string' or 'number'");
  const openid = ctx.state.registerUser(app.appid, user);
  const code = newPhoneCode();
  ctx.state.phoneCodes.set(code, {
    code,
    appid: app.appid,
    user,
    openid,
    purePhoneNumber: phone,
    countryCode,
    countryCodeAs,
    issuedAt: ctx.state.clock.now(),
    used: false,
  });
  return { json: { code } };
}

/** wx.requestSubscribeMessage: each "accept" is one more send allowed for (openid, template). */
function subscribe(ctx: Ctx): Reply {
  const b = body(ctx);
  const app = appOf(ctx, b.appid);
  const user = userOf(b.user);
  const fail = (errCode: number, detail: string): Reply => ({
    json: { errMsg: `requestSubscribeMessage:fail ${detail}`, errCode },
  });
  const ids = b.tmplIds;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
    return fail(10004, 'parameter error: parameter.tmplIds should be Array of String');
  }
  if (ids.length === 0) return fail(10001, "TmplIds can't be empty");
  if (ids.length > MAX_TMPL_IDS) return fail(20003, 'Templates count out of max bounds');
  if (ids.some((id) => !findTemplate(app, id))) return fail(20001, 'No template data return, verify the template id exist');
  const decisions = b.decisions ?? {};
  if (typeof decisions !== 'object' || decisions === null || Array.isArray(decisions)) throw bad('decisions must be an object');
  const result: Record<string, string> = { errMsg: 'requestSubscribeMessage:ok' };
  const openid = ctx.state.registerUser(app.appid, user);
  for (const id of ids as string[]) {
    const decision = (decisions as Record<string, unknown>)[id] ?? 'accept';
    if (typeof decision !== 'string' || !DECISIONS.includes(decision))
      throw bad(`decision for ${id} must be one of ${DECISIONS.join('|')}`);
    if (decision === 'accept') ctx.state.addQuota(openid, id, 1);
    result[id] = decision;
  }
  return { json: result };
}

function inbox(ctx: Ctx): Reply {
  const openid = ctx.query.get('openid');
  const templateId = ctx.query.get('template_id');
  const messages = ctx.state.inbox.filter((m) => (!openid || m.touser === openid) && (!templateId || m.template_id === templateId));
  return { json: { messages } };
}

function quota(ctx: Ctx): Reply {
  if (ctx.method === 'POST') return grantQuota(ctx);
  const openid = ctx.query.get('openid');
  const templateId = ctx.query.get('template_id');
  if (!templateId) throw bad('template_id is required');
  if (!openid) {
    // Every user's sends left for the template, for load tests that compare whole ledgers.
    const suffix = ` ${templateId}`;
    const all = [...ctx.state.quota].filter(([key]) => key.endsWith(suffix)).map(([key, left]) => [key.slice(0, -suffix.length), left]);
    return { json: { quota: Object.fromEntries(all) } };
  }
  return { json: { remaining: ctx.state.getQuota(openid, templateId) } };
}

function clock(ctx: Ctx): Reply {
  const { clock } = ctx.state;
  if (ctx.method === 'POST') {
    const seconds = body(ctx).advanceSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw bad('advanceSeconds must be a number >= 0');
    clock.advance(seconds);
  }
  return { json: { now: clock.now(), nowSeconds: clock.nowSeconds(), offsetSeconds: clock.offsetSeconds } };
}

/**
 * Many users' accepts at once (what 100,000 taps on 允许 would add), for load tests: registers each user in
 * the app and adds `add` sends of `templateId` to each.
 */
function grantQuota(ctx: Ctx): Reply {
  const b = body(ctx);
  const app = appOf(ctx, b.appid);
  if (
    !Array.isArray(b.users) ||
    b.users.length === 0 ||
    b.users.length > 200_000 ||
    b.users.some((u) => typeof u !== 'string' || u === '')
  ) {
    throw bad('users must be 1-200000 non-empty names');
  }
  if (typeof b.templateId !== 'string' || !findTemplate(app, b.templateId)) throw bad("templateId must be one of the app's templates");
  const add = b.add ?? 1;
  if (!isInt(add, 1, 1000)) throw bad('add must be an integer 1-1000');
  for (const user of b.users as string[]) ctx.state.addQuota(ctx.state.registerUser(app.appid, user), b.templateId, add as number);
  return { json: { users: b.users.length } };
}

/**
 * `{endpoint: 'subscribe_send', perSecond}`: WeChat's per-second capacity for this app; calls beyond it in
 * the same wall-clock second answer 45011 (api minute-quota reach limit) and change nothing. perSecond null lifts it.
 */
function limits(ctx: Ctx): Reply {
  const { state } = ctx;
  if (ctx.method === 'POST') {
    const b = body(ctx);
    if (b.endpoint !== 'subscribe_send') throw bad("endpoint must be 'subscribe_send'");
    if (b.perSecond !== null && !isInt(b.perSecond, 1, 1_000_000)) throw bad('perSecond must be an integer 1-1000000, or null');
    state.sendRateLimit = b.perSecond === null ? null : { perSecond: b.perSecond as number, second: 0, used: 0 };
  }
  return { json: { subscribe_send: state.sendRateLimit && { perSecond: state.sendRateLimit.perSecond } } };
}

function faults(ctx: Ctx): Reply {
  const { state } = ctx;
  if (ctx.method === 'POST') {
    const b = body(ctx);
    const endpoint = b.endpoint as EndpointName;
    if (!ENDPOINTS.includes(endpoint)) throw bad(`endpoint must be one of ${ENDPOINTS.join('|')}`);
    const times = b.times ?? 1;
    if (!isInt(times, 1, 1e6)) throw bad('times must be an integer >= 1');
    if (b.errcode !== undefined && !isInt(b.errcode, -1e9, 1e9)) throw bad('errcode must be an integer');
    if (b.httpStatus !== undefined && !isInt(b.httpStatus, 100, 599)) throw bad('httpStatus must be 100-599');
    if (b.delayMs !== undefined && !isInt(b.delayMs, 0, 600_000)) throw bad('delayMs must be 0-600000');
    if (b.code !== undefined && (typeof b.code !== 'string' || !/^[A-Z][A-Z_]*$/.test(b.code))) throw bad('code must be like SYSTEM_ERROR');
    // Pay answers {code, message} with a real status; the rest answer errcodes.
    if (isPayEndpoint(endpoint) && b.errcode !== undefined) throw bad('pay endpoints take code and httpStatus, not errcode');
    if (!isPayEndpoint(endpoint) && b.code !== undefined) throw bad('code is for pay endpoints; use errcode');
    if (b.errcode === undefined && b.httpStatus === undefined && b.delayMs === undefined && b.code === undefined) {
      throw bad('give errcode, code, httpStatus or delayMs');
    }
    const fault: Fault = { remaining: times as number };
    if (b.errcode !== undefined) fault.errcode = b.errcode as number;
    if (b.code !== undefined) fault.code = b.code as string;
    if (b.httpStatus !== undefined) fault.httpStatus = b.httpStatus as number;
    if (b.delayMs !== undefined) fault.delayMs = b.delayMs as number;
    state.faults.set(endpoint, [...(state.faults.get(endpoint) ?? []), fault]);
  }
  return { json: Object.fromEntries(state.faults) };
}

export const devRoutes: Route[] = [
  { path: '/dev/health', methods: ['GET'], handle: () => ({ json: { ok: true } }) },
  { path: '/dev/login-code', methods: ['POST'], handle: loginCode },
  { path: '/dev/phone-code', methods: ['POST'], handle: phoneCode },
  { path: '/dev/subscribe', methods: ['POST'], handle: subscribe },
  { path: '/dev/inbox', methods: ['GET'], handle: inbox },
  { path: '/dev/quota', methods: ['GET', 'POST'], handle: quota },
  { path: '/dev/limits', methods: ['GET', 'POST'], handle: limits },
  { path: '/dev/clock', methods: ['GET', 'POST'], handle: clock },
  { path: '/dev/faults', methods: ['GET', 'POST'], handle: faults },
  { path: '/dev/stats', methods: ['GET'], handle: (ctx) => ({ json: { ...ctx.state.calls } }) },
  { path: '/dev/reset', methods: ['POST'], handle: (ctx) => (ctx.state.reset(), { json: { ok: true } }) },
];
