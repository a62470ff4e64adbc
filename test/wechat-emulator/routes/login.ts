// GET /sns/jscode2session: what the server does with a wx.login() code.
import { newSessionKey, unionidFor } from '../ids';
import { ERRMSG, type Ctx, type Reply, type Route, wxError } from '../protocol';
import { CODE_TTL_MS } from '../state';

const RATE_WINDOW_MS = 60_000;
const RATE_LIMIT = 100;

function jscode2session(ctx: Ctx): Reply {
  const q = ctx.query;
  const appid = q.get('appid');
  const secret = q.get('secret');
  const code = q.get('js_code');
  // WeChat's global "missing" errcodes: 41002 appid, 41004 appsecret, 41008 code.
  if (!appid) return wxError(41002, 'appid missing');
  if (!secret) return wxError(41004, 'appsecret missing');
  if (!code) return wxError(41008, 'missing code');
  if (q.get('grant_type') !== 'authorization_code') return wxError(40002, 'invalid grant_type');
  const { state } = ctx;
  const app = state.apps.get(appid);
  if (!app) return wxError(40013, 'invalid appid');
  if (app.secret !== secret) return wxError(40125, 'invalid appsecret');

  // Magic codes so tests can provoke WeChat's rare answers without minting anything.
  if (code.startsWith('busy_')) return wxError(-1, ERRMSG[-1]);
  if (code.startsWith('risk_')) return wxError(40226, 'high risk user, login blocked');
  // The app's own call quota for the day is spent: every user's login fails until it resets.
  if (code.startsWith('quota_')) return wxError(45009, ERRMSG[45009]);

  const now = state.clock.now();
  const issued = state.loginCodes.get(code);
  // A code of another app is as unknown as a made-up one; an expired code is invalid even if it was used.
  if (!issued || issued.appid !== appid || now - issued.issuedAt >= CODE_TTL_MS) return wxError(40029, ERRMSG[40029]);
  if (issued.used) return wxError(40163, 'code been used');

  const recent = (state.loginTimes.get(issued.openid) ?? []).filter((t) => now - t < RATE_WINDOW_MS);
  state.loginTimes.set(issued.openid, recent);
  if (recent.length >= RATE_LIMIT) return wxError(45011, ERRMSG[45011]);

  issued.used = true;
  recent.push(now);
  // Every login rotates session_key; data encrypted with the previous key no longer decrypts.
  const sessionKey = newSessionKey();
  state.sessionKeys.set(issued.openid, sessionKey);
  // Success carries no errcode at all, as WeChat has done since late 2022.
  const json: Record<string, string> = { session_key: sessionKey, openid: issued.openid };
  if (app.unionid) json.unionid = unionidFor(issued.user);
  return { json };
}

export const loginRoutes: Route[] = [{ path: '/sns/jscode2session', endpoint: 'jscode2session', handle: jscode2session }];
