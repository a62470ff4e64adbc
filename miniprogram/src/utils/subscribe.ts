/**
 * The app's one subscriber (see ./subscriber.ts): WeChat's sheet through `platform`, the ledger through the API.
 *
 * In a tap handler, call `askAtMoment(moment)` before the first await and let it run beside the real action:
 *
 *   const asking = askAtMoment('coupon_claimed'); // reaches WeChat inside the tap
 *   await claimCoupon(…);                          // the claim does not wait for the member's answer
 *
 * Never from a page load: WeChat refuses the call outside a tap. Pages that have a moment call
 * `warmMessagePreferences()` when they open, so the tap finds the preferences already here.
 */
import Taro from '@tarojs/taro';
import type { MessagePreferencesResponse, ReportSubscriptionsRequest, SubscribeMoment } from '@member/shared';
import { getMessagePreferences, loadPublicConfig, newIdempotencyKey, onSessionChange, outcomeUnknown, reportSubscriptions } from '../api';
import platform from '../platform';
import { createSubscriber, type AskOutcome, type PreferencesListener } from './subscriber';

const UNSENT_KEY = 'messages.unsentReports.v1';

/** Where the H5 stand-in reaches the emulator; read with the preferences, so a tap needs no await for it. */
let emulatorBaseUrl: string | null = null;

function unsentKey(): string {
  return `${UNSENT_KEY}:${platform.identity()}`;
}

const subscriber = createSubscriber({
  async fetchPreferences() {
    const [config, preferences] = await Promise.all([loadPublicConfig(), getMessagePreferences()]);
    emulatorBaseUrl = config.emulatorBaseUrl;
    return preferences;
  },
  request: (templateIds, titles) => platform.requestSubscribeMessage(templateIds, titles, { emulatorBaseUrl }),
  report: reportSubscriptions,
  newKey: newIdempotencyKey,
  retryable: outcomeUnknown,
  wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  loadUnsent() {
    const stored = Taro.getStorageSync(unsentKey()) as ReportSubscriptionsRequest[] | '';
    return Array.isArray(stored)
      ? stored.filter((r) => r && typeof r.idempotencyKey === 'string' && r.results && typeof r.moment === 'string')
      : [];
  },
  saveUnsent(reports) {
    if (reports.length > 0) Taro.setStorageSync(unsentKey(), reports);
    else Taro.removeStorageSync(unsentKey());
  },
});

// Another member on this device (H5 test users, a re-login): what was kept belongs to the previous one.
let memberId: number | null = null;
onSessionChange((session) => {
  const next = session?.member.id ?? null;
  if (memberId !== null && next !== memberId) subscriber.reset();
  memberId = next;
});

/** Asks for what `moment` still needs and reports the answer; never rejects. See the top of this file. */
export function askAtMoment(moment: SubscribeMoment): Promise<AskOutcome> {
  return subscriber.askAtMoment(moment);
}

/** Loads the preferences ahead of a tap (kept ones when recent). Rejects like any API call. */
export function warmMessagePreferences(): Promise<MessagePreferencesResponse> {
  return subscriber.warm();
}

/** Fresh preferences from the server (the messages page). */
export function refreshMessagePreferences(): Promise<MessagePreferencesResponse> {
  return subscriber.refresh();
}

/** Keeps an answer the page got itself (a switch turned), so every page agrees. */
export function keepMessagePreferences(preferences: MessagePreferencesResponse): void {
  subscriber.accept(preferences);
}

export function peekMessagePreferences(): MessagePreferencesResponse | null {
  return subscriber.peek();
}

/** Called with every new answer (a report, a switch, a load); returns the unsubscribe function. */
export function onMessagePreferences(listener: PreferencesListener): () => void {
  return subscriber.onChange(listener);
}
