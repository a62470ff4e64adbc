import { ApiError } from './errors';
import { httpRequest, type HttpMethod } from './http';
import { ensureSession, renewSession } from './session';

/** The server says the token is missing or dead: a fresh silent login may fix it (once). */
function needsNewLogin(error: unknown): boolean {
  // SESSION_REVOKED: the account was deleted (注销), maybe on another device: the new login is a new visitor.
  return (
    error instanceof ApiError && (error.code === 'SESSION_EXPIRED' || error.code === 'AUTH_REQUIRED' || error.code === 'SESSION_REVOKED')
  );
}

/**
 * An authenticated call. On SESSION_EXPIRED / AUTH_REQUIRED it logs in again once and repeats the request;
 * a second failure goes to the caller as it is, so a broken login can never loop.
 */
export async function authedRequest<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const session = await ensureSession();
  try {
    return await httpRequest<T>(method, path, body, session.token);
  } catch (error) {
    if (!needsNewLogin(error)) throw error;
  }
  const renewed = await renewSession();
  return httpRequest<T>(method, path, body, renewed.token);
}
