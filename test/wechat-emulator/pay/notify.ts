// Payment and refund notifications: the encrypted envelope POSTed to the merchant's notify_url, signed
// with the platform key, retried on WeChat's schedule until the server answers 200 or 204 in time.
import { notificationEnvelope } from './envelope';
import { signatureHeaders } from './protocol';
import type { NotificationAttempt, PayMerchantConfig, PayNotification, PayState } from './state';

/** Seconds between attempts after the first: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (~24h4m). */
export const RETRY_SCHEDULE_S = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

export interface NotificationEvent {
  merchant: PayMerchantConfig;
  url: string;
  eventType: PayNotification['eventType'];
  summary: string;
  /** 'transaction' or 'refund': both resource.original_type and the AEAD associated data. */
  originalType: 'transaction' | 'refund';
  plaintext: Record<string, unknown>;
  outTradeNo: string;
  outRefundNo?: string;
}

/** Records the notification and, unless notifications are dropped, starts delivering it. */
export function notify(pay: PayState, event: NotificationEvent): PayNotification {
  const { id, body } = notificationEnvelope(event.merchant.apiV3Key, event, pay.clock.now());
  const notification: PayNotification = {
    id,
    mchid: event.merchant.mchid,
    eventType: event.eventType,
    outTradeNo: event.outTradeNo,
    ...(event.outRefundNo === undefined ? {} : { outRefundNo: event.outRefundNo }),
    url: event.url,
    headers: {},
    body,
    sequence: pay.notifications.length,
    attempts: [],
    delivered: false,
  };
  pay.notifications.push(notification);
  if (pay.settings.notify === 'send') pay.later(0, () => attempt(pay, notification, 0));
  return notification;
}

/** One POST of the notification, signed afresh; records the attempt. Success is HTTP 200 or 204 in time. */
export async function deliver(pay: PayState, n: PayNotification): Promise<NotificationAttempt> {
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'Mozilla/4.0',
    ...signatureHeaders(pay, pay.notificationSigner(n) ?? missingPlatform(), n.body),
  };
  n.headers = headers;
  const record: NotificationAttempt = { at: pay.clock.now() };
  try {
    const res = await fetch(n.url, {
      method: 'POST',
      headers,
      body: n.body,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(pay.settings.notifyTimeoutMs), pay.signal]),
    });
    record.status = res.status;
    await res.arrayBuffer().catch(() => undefined);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    record.error = e.name === 'TimeoutError' ? `no answer within ${pay.settings.notifyTimeoutMs} ms` : (e.cause?.code ?? e.message);
  }
  n.attempts.push(record);
  if (record.status === 200 || record.status === 204) n.delivered = true;
  pay.log?.(`pay notify ${n.eventType} ${n.outRefundNo ?? n.outTradeNo} → ${record.status ?? record.error}`);
  return record;
}

function missingPlatform(): never {
  throw new Error('pay is not configured');
}

/** Attempt `index` (0 = first send), then the next on WeChat's schedule while not delivered. */
async function attempt(pay: PayState, n: PayNotification, index: number): Promise<void> {
  if (n.delivered) return;
  const generation = pay.currentGeneration;
  await deliver(pay, n);
  if (n.delivered || generation !== pay.currentGeneration || index >= RETRY_SCHEDULE_S.length) return;
  pay.later(RETRY_SCHEDULE_S[index] * 1000 * pay.settings.notifyRetryScale, () => attempt(pay, n, index + 1));
}
