// Access tokens: GET /cgi-bin/token (each call replaces the last) and POST /cgi-bin/stable_token
// (idempotent). The two keep separate pools; business APIs accept either (see requireToken).
import { newAccessToken } from '../ids';
import { type Ctx, Halt, jsonObject, type Reply, type Route, str, wxError } from '../protocol';
import type { EmulatorState, TokenRecord } from '../state';

const LIFETIME_MS = 7_200_000;
/** How long a replaced /cgi-bin/token token keeps working, and when stable_token starts handing out the next one. */
const GRACE_MS = 300_000;
const FORCE_REFRESH_SPACING_MS = 30_000;
const FORCE_REFRESH_PER_DAY = 20;
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

function issue(state: EmulatorState, appid: string, pool: TokenRecord['pool']): TokenRecord {
  const now = state.clock.now();
  const record: TokenRecord = { token: newAccessToken(), appid, pool, issuedAt: now, expiresAt: now + LIFETIME_MS };
  state.tokens.set(record.token, record);
  state.currentTokens.set(`${pool}:${appid}`, record.token);
  return record;
}

function current(state: EmulatorState, appid: string, pool: TokenRecord['pool']): TokenRecord | undefined {
  const token = state.currentTokens.get(`${pool}:${appid}`);
  return token === undefined ? undefined : state.tokens.get(token);
}

function credentials(grantType: unknown, appid: unknown, secret: unknown): { appid: string; secret: string } {
  if (grantType !== 'client_credential') throw new Halt(wxError(40002, 'invalid grant_type'));
  const id = str(appid);
  const key = str(secret);
  if (!id) throw new Halt(wxError(41002, 'appid missing'));
  if (!key) throw new Halt(wxError(41004, 'appsecret missing'));
  return { appid: id, secret: key };
}

function getToken(ctx: Ctx): Reply {
  const q = ctx.query;
  const { appid, secret } = credentials(q.get('grant_type'), q.get('appid'), q.get('secret'));
  const { state } = ctx;
  const app = state.apps.get(appid);
  if (!app) return wxError(40013, 'invalid appid');
  // /cgi-bin/token answers a wrong secret with 40001 "invalid credential".
  if (app.secret !== secret) return wxError(40001, 'invalid credential, access_token is invalid or not latest');
  const now = state.clock.now();
  const previous = current(state, appid, 'token');
  // The replaced token lives 5 more minutes (never beyond its own expiry), so in-flight calls still pass.
  if (previous && previous.revokedAt === undefined) previous.revokedAt = Math.min(previous.expiresAt, now + GRACE_MS);
  const record = issue(state, appid, 'token');
  return { json: { access_token: record.token, expires_in: LIFETIME_MS / 1000 } };
}

function stableToken(ctx: Ctx): Reply {
  const body = jsonObject(ctx);
  const { appid, secret } = credentials(body.grant_type, body.appid, body.secret);
  const { state } = ctx;
  const app = state.apps.get(appid);
  if (!app) return wxError(40013, 'invalid appid');
  if (app.secret !== secret) return wxError(40125, 'invalid appsecret');
  const now = state.clock.now();
  const cur = current(state, appid, 'stable');

  if (body.force_refresh === true) {
    // Limited to 20 a day (Beijing day). A second force_refresh within 30 s of the last one "不会刷新": it is
    // not an error, it answers the current token as normal mode would, and uses none of the day's 20.
    const day = Math.floor((now + BEIJING_OFFSET_MS) / DAY_MS);
    const times = (state.forceRefreshes.get(appid) ?? []).filter((t) => Math.floor((t + BEIJING_OFFSET_MS) / DAY_MS) === day);
    state.forceRefreshes.set(appid, times);
    const last = times[times.length - 1];
    if (last !== undefined && now - last < FORCE_REFRESH_SPACING_MS && cur && cur.revokedAt === undefined && cur.expiresAt > now) {
      return { json: { access_token: cur.token, expires_in: Math.floor((cur.expiresAt - now) / 1000) } };
    }
    if (times.length >= FORCE_REFRESH_PER_DAY) return wxError(45009, 'reach max api daily quota limit');
    times.push(now);
    if (cur && (cur.revokedAt === undefined || cur.revokedAt > now)) cur.revokedAt = now;
    const record = issue(state, appid, 'stable');
    return { json: { access_token: record.token, expires_in: LIFETIME_MS / 1000 } };
  }

  const live = cur && cur.revokedAt === undefined ? cur.expiresAt - now : 0;
  // Same token while it has more than 5 minutes left; in its last 5 minutes a new one
  // (the old one keeps working until its own expiry).
  if (cur && live > GRACE_MS) return { json: { access_token: cur.token, expires_in: Math.floor(live / 1000) } };
  const record = issue(state, appid, 'stable');
  return { json: { access_token: record.token, expires_in: LIFETIME_MS / 1000 } };
}

export const tokenRoutes: Route[] = [
  { path: '/cgi-bin/token', endpoint: 'token', handle: getToken },
  { path: '/cgi-bin/stable_token', methods: ['POST'], endpoint: 'stable_token', handle: stableToken },
];
