// Small pieces every service test file wrote for itself; one copy here so a fix (a longer timeout, a clearer
// message) reaches them all.
import { DomainError } from '../common/domain-error';
import { insertJoinedMembers } from './coupon-fixtures';
import type { TestDatabaseKind } from './databases';
import { startTestApp, type TestApp } from './test-app';

/** A domain error's stable code, or the thrown value itself, so `expect(codeOf(e)).toBe('X')` shows any surprise. */
export const codeOf = (error: unknown): unknown => (error instanceof DomainError ? error.code : error);

/** What `fn` throws, as a domain error's code; 'no error' when it returns. */
export function codeThrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return codeOf(error);
  }
  return 'no error';
}

/** Idempotency keys unique within the test process and across reruns on a kept database. */
export function keyMaker(prefix: string): () => string {
  let seq = 0;
  return () => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Polls until `probe` answers something truthy, for effects that arrive over HTTP (WeChat's notifications). */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * What a spec helper (pay-spec, till-spec) started for its suite: set by its start() in beforeAll, read by its
 * helpers, and the app closed after the suite (the afterAll is registered when the helper is called).
 */
export function suiteState<T extends { t: TestApp }>(helper: string): { set(state: T): T; get(): T } {
  let state: T | null = null;
  afterAll(() => state?.t.close());
  return {
    set: (next) => (state = next),
    get: () => {
      if (!state) throw new Error(`${helper}: call start() in beforeAll first`);
      return state;
    },
  };
}

/**
 * A suite's app with `count` joined members (`name-kind-i`, joined at `joinedAt`), handed out one per test by
 * `member()`. Call it in the describe block; `start()` in beforeAll; the app is closed after the suite.
 */
export function joinedMembersSpec(kind: TestDatabaseKind, name: string, count: number, joinedAt = '2026-01-05T00:00:00Z') {
  const suite = suiteState<{ t: TestApp; members: number[] }>('joinedMembersSpec');
  let next = 0;
  return {
    async start(env: Record<string, string> = {}): Promise<TestApp> {
      const t = await startTestApp(kind, env);
      return suite.set({ t, members: await insertJoinedMembers(t.db.dataSource, count, `${name}-${kind}`, new Date(joinedAt)) }).t;
    },
    /** A member no other test of the suite has used. */
    member: () => suite.get().members[next++],
  };
}
