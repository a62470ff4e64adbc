/** Subscription messages: the member's kinds and switches, and the reports of what WeChat's sheet answered. */
import type { MessageKind, MessagePreferencesResponse, ReportSubscriptionsRequest, UpdateMessagePreferenceRequest } from '@member/shared';
import { authedRequest } from './client';

export function getMessagePreferences(): Promise<MessagePreferencesResponse> {
  return authedRequest<MessagePreferencesResponse>('GET', '/messages/preferences');
}

/** One report per requestSubscribeMessage call; resent with the same `idempotencyKey` it counts once. */
export function reportSubscriptions(request: ReportSubscriptionsRequest): Promise<MessagePreferencesResponse> {
  return authedRequest<MessagePreferencesResponse>('POST', '/messages/subscriptions', request);
}

export function setMessagePreference(kind: MessageKind, enabled: boolean): Promise<MessagePreferencesResponse> {
  const request: UpdateMessagePreferenceRequest = { enabled };
  return authedRequest<MessagePreferencesResponse>('PUT', `/messages/preferences/${encodeURIComponent(kind)}`, request);
}
