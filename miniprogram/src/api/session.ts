/**
 * The member's session: silent login (platform code → POST /api/auth/login → bearer token), kept in storage
 * so a reload within its lifetime needs no new login. One login at a time: concurrent callers share the
 * in-flight attempt, and a failed attempt is reported, never retried in a loop (the page offers a retry).
 */
import Taro from '@tarojs/taro';
import type { LoginRequest, LoginResponse, MemberProfile, PublicConfig, StaffRole } from '@member/shared';
import platform from '../platform';
import { ApiError } from './errors';
import { httpRequest } from './http';

const STORAGE_KEY = 'member.session.v1';
/** Renew this long before the server's expiry, so a request never leaves with a token about to die. */
const EXPIRY_MARGIN_MS = 60_000;

export interface Session {
  token: string;
  expiresAt: string;
  member: MemberProfile;
  staffRole: StaffRole | null;
  /** platform.identity() at login; a session for another identity is never reused. */
  identity: string;
}

type Listener = (session: Session | null) => void;

let current: Session | null = null;
let loginInFlight: Promise<Session> | null = null;
let publicConfig: PublicConfig | null = null;
let publicConfigInFlight: Promise<PublicConfig> | null = null;
const listeners = new Set<Listener>();

/** GET /api/public-config, fetched once per app run (a failure is not cached). */
export function loadPublicConfig(): Promise<PublicConfig> {
  if (publicConfig) return Promise.resolve(publicConfig);
  if (!publicConfigInFlight) {
    publicConfigInFlight = httpRequest<PublicConfig>('GET', '/public-config')
      .then((config) => {
        publicConfig = config;
        return config;
      })
      .finally(() => {
        publicConfigInFlight = null;
      });
  }
  return publicConfigInFlight;
}

/** The public config if it already arrived (so a page can paint the brand on its first render). */
export function peekPublicConfig(): PublicConfig | null {
  return publicConfig;
}

function isUsable(session: Session | null): session is Session {
  if (!session || session.identity !== platform.identity()) return false;
  const expires = Date.parse(session.expiresAt);
  return Number.isFinite(expires) && expires - EXPIRY_MARGIN_MS > Date.now();
}

function readStored(): Session | null {
  try {
    const stored = Taro.getStorageSync(STORAGE_KEY) as Session | '';
    return stored && typeof stored === 'object' && typeof stored.token === 'string' ? stored : null;
  } catch {
    return null;
  }
}

function store(session: Session | null): void {
  current = session;
  try {
    if (session) Taro.setStorageSync(STORAGE_KEY, session);
    else Taro.removeStorageSync(STORAGE_KEY);
  } catch {
    // Storage full or unavailable: the session still lives in memory for this run.
  }
  listeners.forEach((listener) => listener(session));
}

async function login(): Promise<Session> {
  const config = await loadPublicConfig();
  let code: string;
  try {
    code = await platform.login({ emulatorBaseUrl: config.emulatorBaseUrl });
  } catch (error) {
    const message = error instanceof Error && /[\u4e00-\u9fa5]/.test(error.message) ? error.message : undefined;
    throw ApiError.client('LOGIN_FAILED', 0, message);
  }
  const request: LoginRequest = { code };
  const response = await httpRequest<LoginResponse>('POST', '/auth/login', request);
  const session: Session = { ...response, identity: platform.identity() };
  store(session);
  return session;
}

/** A usable session: the current one, the stored one, or a fresh silent login. */
export function ensureSession(): Promise<Session> {
  if (isUsable(current)) return Promise.resolve(current);
  if (!current) {
    const stored = readStored();
    if (isUsable(stored)) {
      current = stored;
      return Promise.resolve(stored);
    }
  }
  return renewSession();
}

/** Forgets the current token and logs in again (shared with any login already under way). */
export function renewSession(): Promise<Session> {
  if (!loginInFlight) {
    current = null;
    loginInFlight = login().finally(() => {
      loginInFlight = null;
    });
  }
  return loginInFlight;
}

export function currentSession(): Session | null {
  return isUsable(current) ? current : null;
}

/** Keeps the cached profile in step after the member changed it (join, nickname, birthday). */
export function updateSessionMember(member: MemberProfile): void {
  if (current) store({ ...current, member });
}

/** Forgets the session entirely (after 注销): the next call logs in afresh, as whoever WeChat says this user is now. */
export function endSession(): void {
  store(null);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called once when the app starts: log in silently so the first page's data arrives sooner. */
export function startSession(): void {
  ensureSession().catch(() => {
    // The page that needs the session shows the error and a retry button.
  });
}
