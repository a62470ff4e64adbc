import { createHash } from 'node:crypto';

/**
 * A request's payload as a fixed-length fingerprint, stored beside its idempotency key: a retry (same key, same
 * payload) answers the first result, the same key with another payload is refused. Fields are hashed in a fixed
 * order with `undefined` as null, so an omitted optional field and an explicit null agree.
 */
export function requestHash(fields: Record<string, string | number | boolean | null | undefined>): string {
  const canonical = JSON.stringify(
    Object.keys(fields)
      .sort()
      .map((name) => [name, fields[name] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}
