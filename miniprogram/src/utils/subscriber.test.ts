import { describe, expect, it } from '@jest/globals';
import type { MessageKind, MessagePreferencesResponse, ReportSubscriptionsRequest, SubscribeDecision } from '@member/shared';
import { createSubscriber, PREFERENCES_MAX_AGE_MS, REPORT_RETRY_DELAYS_MS, SHEET_ABANDONED_MS, type SubscriberDeps } from './subscriber';

const KINDS: MessageKind[] = ['birthday', 'coupon_arrived', 'coupon_expiring', 'reactivation', 'points_change'];

/** A tiny server: the grant ledger, idempotent by key, as the contract describes it. */
function fakeServer() {
  const remaining: Record<string, number> = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const seenKeys = new Set<string>();
  const view = (): MessagePreferencesResponse => ({
    kinds: KINDS.map((kind) => ({
      kind,
      title: kind,
      description: '',
      templateId: `tmpl-${kind}`,
      remaining: remaining[kind],
      enabled: true,
    })),
    moments: {
      coupon_claimed: ['coupon_arrived', 'coupon_expiring'],
      birthday_set: ['birthday'],
      notify_me: ['coupon_arrived', 'reactivation', 'points_change'],
      feedback_raised: ['service_reply'],
    },
  });
  return {
    remaining,
    view,
    report(request: ReportSubscriptionsRequest): MessagePreferencesResponse {
      if (!seenKeys.has(request.idempotencyKey)) {
        seenKeys.add(request.idempotencyKey);
        for (const [id, decision] of Object.entries(request.results)) if (decision === 'accept') remaining[id.replace(/^tmpl-/, '')] += 1;
      }
      return view();
    },
  };
}

class Offline extends Error {
  readonly retryable = true;
}
class Refused extends Error {}

function setup(
  options: { answer?: (ids: string[]) => Record<string, SubscribeDecision>; reportFailures?: Error[]; fetchFailures?: Error[] } = {},
) {
  const server = fakeServer();
  const calls = { fetch: 0, request: [] as string[][], reports: [] as ReportSubscriptionsRequest[], waits: [] as number[] };
  const reportFailures = [...(options.reportFailures ?? [])];
  const fetchFailures = [...(options.fetchFailures ?? [])];
  let clock = 1_000_000;
  let keys = 0;
  let stored: ReportSubscriptionsRequest[] = [];
  const deps: SubscriberDeps = {
    async fetchPreferences() {
      calls.fetch++;
      const failure = fetchFailures.shift();
      if (failure) throw failure;
      return server.view();
    },
    request(ids) {
      calls.request.push(ids);
      return Promise.resolve((options.answer ?? ((asked) => Object.fromEntries(asked.map((id) => [id, 'accept' as const]))))(ids));
    },
    async report(request) {
      calls.reports.push(request);
      const failure = reportFailures.shift();
      if (failure) throw failure;
      return server.report(request);
    },
    newKey: () => `key-${++keys}-abcdefgh`,
    retryable: (error) => error instanceof Offline,
    wait: async (ms) => {
      calls.waits.push(ms);
    },
    now: () => clock,
    loadUnsent: () => stored,
    saveUnsent: (reports) => {
      stored = reports;
    },
  };
  return { server, calls, deps, subscriber: createSubscriber(deps), advance: (ms: number) => (clock += ms), stored: () => stored };
}

describe('asking at a moment', () => {
  it('puts the request to WeChat inside the tap when the preferences were loaded ahead', async () => {
    const { subscriber, calls } = setup();
    await subscriber.warm();
    const asking = subscriber.askAtMoment('coupon_claimed');
    // Synchronously: no await between the tap and WeChat.
    expect(calls.request).toEqual([['tmpl-coupon_arrived', 'tmpl-coupon_expiring']]);
    const outcome = await asking;
    expect(outcome.results).toEqual({ 'tmpl-coupon_arrived': 'accept', 'tmpl-coupon_expiring': 'accept' });
    expect(calls.reports).toEqual([{ results: outcome.results, moment: 'coupon_claimed', idempotencyKey: 'key-1-abcdefgh' }]);
    expect(outcome.preferences?.kinds.find((k) => k.kind === 'coupon_arrived')?.remaining).toBe(1);
  });

  it("keeps the report's answer: the next moment asks nothing, and listeners hear of it", async () => {
    const { subscriber, calls } = setup();
    const heard: number[] = [];
    subscriber.onChange((p) => heard.push(p.kinds.filter((k) => k.remaining > 0).length));
    await subscriber.warm();
    await subscriber.askAtMoment('coupon_claimed');
    expect(subscriber.peek()?.kinds.find((k) => k.kind === 'coupon_expiring')?.remaining).toBe(1);
    expect(await subscriber.askAtMoment('coupon_claimed')).toEqual({ asked: [], results: {}, preferences: null });
    expect(calls.request).toHaveLength(1);
    expect(heard).toEqual([0, 2]);
    // Another moment still asks for its own kinds, and only those still missing.
    await subscriber.askAtMoment('notify_me');
    expect(calls.request[1]).toEqual(['tmpl-reactivation', 'tmpl-points_change']);
  });

  it('loads first when nothing was loaded ahead', async () => {
    const { subscriber, calls } = setup();
    const outcome = await subscriber.askAtMoment('birthday_set');
    expect(calls.fetch).toBe(1);
    expect(outcome.asked).toEqual(['tmpl-birthday']);
  });

  it('asks nothing and never rejects when the preferences cannot be loaded', async () => {
    const { subscriber, calls } = setup({ fetchFailures: [new Offline()] });
    await expect(subscriber.askAtMoment('coupon_claimed')).resolves.toEqual({ asked: [], results: {}, preferences: null });
    expect(calls.request).toEqual([]);
  });

  it('reports refusals too, and adds nothing for them', async () => {
    const { subscriber, calls, server } = setup({ answer: (ids) => Object.fromEntries(ids.map((id) => [id, 'reject' as const])) });
    await subscriber.warm();
    const outcome = await subscriber.askAtMoment('coupon_claimed');
    expect(calls.reports[0].results).toEqual({ 'tmpl-coupon_arrived': 'reject', 'tmpl-coupon_expiring': 'reject' });
    expect(outcome.preferences).not.toBeNull();
    expect(server.remaining.coupon_arrived).toBe(0);
  });

  it('reports nothing when WeChat decided nothing (main switch off), or the call threw', async () => {
    const off = setup({ answer: () => ({}) });
    await off.subscriber.warm();
    expect(await off.subscriber.askAtMoment('coupon_claimed')).toEqual({
      asked: ['tmpl-coupon_arrived', 'tmpl-coupon_expiring'],
      results: {},
      preferences: null,
    });
    expect(off.calls.reports).toEqual([]);

    const broken = setup({
      answer: () => {
        throw new Error('boom');
      },
    });
    await broken.subscriber.warm();
    await expect(broken.subscriber.askAtMoment('coupon_claimed')).resolves.toMatchObject({ results: {}, preferences: null });
    expect(broken.calls.reports).toEqual([]);
  });

  it('puts up one sheet at a time: a second tap while the first is open asks nothing', async () => {
    const { calls, deps, advance } = setup();
    let answer: (value: Record<string, SubscribeDecision>) => void = () => undefined;
    deps.request = (ids) => {
      calls.request.push(ids);
      return new Promise((resolve) => (answer = resolve));
    };
    const again = createSubscriber(deps);
    await again.warm();
    const first = again.askAtMoment('coupon_claimed');
    expect(await again.askAtMoment('coupon_claimed')).toMatchObject({ asked: [] });
    answer({ 'tmpl-coupon_arrived': 'accept' });
    expect((await first).results).toEqual({ 'tmpl-coupon_arrived': 'accept' });
    expect(calls.request).toHaveLength(1);

    // A sheet that never answers (dropped with its page) stops blocking after a while.
    const lost = again.askAtMoment('birthday_set');
    expect(await again.askAtMoment('birthday_set')).toMatchObject({ asked: [] });
    advance(SHEET_ABANDONED_MS);
    void again.askAtMoment('birthday_set');
    expect(calls.request).toEqual([['tmpl-coupon_arrived', 'tmpl-coupon_expiring'], ['tmpl-birthday'], ['tmpl-birthday']]);
    void lost;
  });
});

describe('delivering the report', () => {
  it('retries a report that got no answer with the same key, and it counts once', async () => {
    const { subscriber, calls, server } = setup({ reportFailures: [new Offline()] });
    await subscriber.warm();
    const outcome = await subscriber.askAtMoment('coupon_claimed');
    expect(calls.reports.map((r) => r.idempotencyKey)).toEqual(['key-1-abcdefgh', 'key-1-abcdefgh']);
    expect(calls.waits).toEqual([REPORT_RETRY_DELAYS_MS[0]]);
    expect(server.remaining.coupon_arrived).toBe(1);
    expect(outcome.preferences?.kinds.find((k) => k.kind === 'coupon_arrived')?.remaining).toBe(1);
  });

  it('keeps a report the network lost and sends it, same key, before the next load', async () => {
    const failures = Array.from({ length: REPORT_RETRY_DELAYS_MS.length + 1 }, () => new Offline());
    const { subscriber, calls, server, stored, advance } = setup({ reportFailures: failures });
    await subscriber.warm();
    const outcome = await subscriber.askAtMoment('coupon_claimed');
    expect(outcome.preferences).toBeNull();
    expect(calls.reports).toHaveLength(REPORT_RETRY_DELAYS_MS.length + 1);
    expect(stored().map((r) => r.idempotencyKey)).toEqual(['key-1-abcdefgh']);
    expect(subscriber.pending()).toHaveLength(1);

    // Back online: warming sends the kept report first (even though the kept preferences are recent).
    advance(1);
    const preferences = await subscriber.warm();
    expect(calls.reports.at(-1)?.idempotencyKey).toBe('key-1-abcdefgh');
    expect(stored()).toEqual([]);
    expect(server.remaining.coupon_arrived).toBe(1);
    expect(preferences.kinds.find((k) => k.kind === 'coupon_expiring')?.remaining).toBe(1);
  });

  it('picks up reports an earlier run could not deliver', async () => {
    const first = setup({ reportFailures: Array.from({ length: 3 }, () => new Offline()) });
    await first.subscriber.warm();
    await first.subscriber.askAtMoment('birthday_set');
    const kept = first.stored();
    expect(kept).toHaveLength(1);
    const next = createSubscriber({ ...first.deps, loadUnsent: () => kept });
    await next.refresh();
    expect(first.calls.reports.at(-1)).toEqual(kept[0]);
    expect(first.server.remaining.birthday).toBe(1);
  });

  it('drops a report the server refused (it would refuse it again)', async () => {
    const { subscriber, calls, stored } = setup({ reportFailures: [new Refused('MEMBER_NOT_JOINED')] });
    await subscriber.warm();
    expect((await subscriber.askAtMoment('coupon_claimed')).preferences).toBeNull();
    expect(calls.reports).toHaveLength(1);
    expect(stored()).toEqual([]);
  });
});

describe('the kept preferences', () => {
  it('are reused while recent, fetched again when old, and forgotten for another member', async () => {
    const { subscriber, calls, advance } = setup();
    await subscriber.warm();
    await subscriber.warm();
    expect(calls.fetch).toBe(1);
    advance(PREFERENCES_MAX_AGE_MS);
    await subscriber.warm();
    expect(calls.fetch).toBe(2);
    await subscriber.refresh();
    expect(calls.fetch).toBe(3);
    subscriber.reset();
    expect(subscriber.peek()).toBeNull();
  });

  it('shares one load between callers', async () => {
    const { subscriber, calls } = setup();
    await Promise.all([subscriber.refresh(), subscriber.warm(), subscriber.refresh()]);
    expect(calls.fetch).toBe(1);
  });
});
