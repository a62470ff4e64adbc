import { outcomeUnknown } from './errors';

/**
 * A fresh idempotency key: time plus randomness, 8-64 of [A-Za-z0-9_-] as the server requires. Math.random is
 * enough here (the key only has to be unique per member or clerk, not secret); crypto is not on every runtime.
 */
export function newIdempotencyKey(): string {
  let random = '';
  while (random.length < 16) random += Math.random().toString(36).slice(2);
  return `${Date.now().toString(36)}-${random.slice(0, 16)}`;
}

/**
 * One key per action the person starts (a tap on "立即领取" for template 12, "确认核销" for a coupon), kept
 * while the outcome is unknown: a retry after a network error or a 5xx sends the SAME key, so the server
 * answers the first attempt's result instead of claiming or redeeming twice. Any answer from the server
 * (success or a domain error) ends the action; the next tap gets a new key.
 */
export class PendingKeys {
  private readonly keys = new Map<string, string>();

  /** The key for this action: the pending one if an earlier attempt's outcome is unknown, else a new one. */
  keyFor(action: string): string {
    let key = this.keys.get(action);
    if (!key) {
      key = newIdempotencyKey();
      this.keys.set(action, key);
    }
    return key;
  }

  /** Call after every attempt: forgets the key unless the attempt may have reached the server unanswered. */
  settle(action: string, error?: unknown): void {
    if (error === undefined || !outcomeUnknown(error)) this.keys.delete(action);
  }

  forget(action: string): void {
    this.keys.delete(action);
  }
}
