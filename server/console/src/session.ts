import type { StaffRole } from '@member/shared';

/** The console's staff session, from scan-to-login. Kept per tab (sessionStorage): closing the tab signs out. */
export interface ConsoleSession {
  token: string;
  expiresAt: string;
  role: StaffRole;
  name: string | null;
  stores: string[];
}

const KEY = 'member-console-session';
const listeners = new Set<() => void>();

export function loadSession(): ConsoleSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const session = raw ? (JSON.parse(raw) as ConsoleSession) : null;
    return session && Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: ConsoleSession | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const ROLE_LABELS: Record<StaffRole, string> = { admin: '总部管理员', store_manager: '店长', clerk: '店员' };
