// Test helpers: a started emulator on a random port and thin fetch wrappers. Not a test file.
import { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator';
import type { AppConfig } from './state';

export const APP: AppConfig = { appid: 'wx1111111111111111', secret: '11111111111111111111111111111111' };
export const APP2: AppConfig = { appid: 'wx2222222222222222', secret: '22222222222222222222222222222222', unionid: true };
/** 2025-05-20 10:00 Beijing time: fixed, so day-based limits never straddle midnight mid-test. */
export const BASE_TIME = Date.UTC(2025, 4, 20, 2, 0, 0);
/** Every WeChat errmsg ends like this. */
export const RID = /, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

type Json = any;

/** A response body as `any`: tests poke at fields freely. */
export const json = (res: Response): Promise<Json> => res.json() as Promise<Json>;

export interface Harness extends RunningEmulator {
  get(path: string, query?: Record<string, string>): Promise<Json>;
  post(path: string, body: unknown): Promise<Json>;
  /** A fresh /cgi-bin/token token. */
  token(app?: AppConfig): Promise<string>;
  /** A wx.login() code for `user` from the dev API. */
  login(user: string, app?: AppConfig): Promise<{ code: string; openid: string }>;
  jscode2session(code: string, app?: AppConfig): Promise<Json>;
  advance(seconds: number): Promise<void>;
}

export async function startHarness(options: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const emu = await startEmulator({ apps: [APP, APP2], now: () => BASE_TIME, ...options });
  const get = async (path: string, query: Record<string, string> = {}) => {
    const qs = new URLSearchParams(query).toString();
    return json(await fetch(`${emu.url}${path}${qs ? `?${qs}` : ''}`));
  };
  const post = async (path: string, body: unknown) =>
    json(
      await fetch(`${emu.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  return {
    ...emu,
    get,
    post,
    token: async (app = APP) =>
      (await get('/cgi-bin/token', { grant_type: 'client_credential', appid: app.appid, secret: app.secret })).access_token,
    login: (user, app = APP) => post('/dev/login-code', { appid: app.appid, user }),
    jscode2session: (code, app = APP) =>
      get('/sns/jscode2session', { appid: app.appid, secret: app.secret, js_code: code, grant_type: 'authorization_code' }),
    advance: async (seconds) => void (await post('/dev/clock', { advanceSeconds: seconds })),
  };
}
