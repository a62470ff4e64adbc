/** Signing in to the desktop console from the phone (扫码登录后台): see the request, then confirm or deny. */
import type { ConsoleLoginRequestView, ConsoleLoginStatus } from '@member/shared';
import { authedRequest } from './client';

export function scanConsoleLogin(ticketId: string): Promise<ConsoleLoginRequestView> {
  return authedRequest<ConsoleLoginRequestView>('POST', `/staff/console-login/${ticketId}/scan`);
}

export function decideConsoleLogin(ticketId: string, decision: 'confirm' | 'deny'): Promise<{ status: ConsoleLoginStatus }> {
  return authedRequest<{ status: ConsoleLoginStatus }>('POST', `/staff/console-login/${ticketId}/${decision}`);
}
