/**
 * Asking for subscription messages at the app's natural moments and keeping the server's grant ledger in step.
 * The WeChat call, the API and the clock come in as dependencies (utils/subscribe.ts wires the real ones), so
 * the order of things is tested in node:
 *
 * 1. The member's preferences are loaded ahead (pages warm them when they open) and kept; every report's answer
 *    replaces them, so the next moment asks only for what is still missing.
 * 2. `askAtMoment` starts the WeChat call synchronously when the preferences are already here: WeChat accepts
 *    `requestSubscribeMessage` only inside a tap, so a tap handler calls it before its first await.
 * 3. The answer goes to the server with one idempotency key per call; a report lost on the way (no answer, 5xx)
 *    is sent again with the same key, now and then on the next load, so an accept is counted once.
 */
import type { MessagePreferencesResponse, ReportSubscriptionsRequest, SubscribeDecision, SubscribeMoment } from '@member/shared';
import { buildReport, kindsToAsk, titlesOf } from './messages';

export interface SubscriberDeps {
  fetchPreferences(): Promise<MessagePreferencesResponse>;
  /**
   * Puts the templates to the member (wx.requestSubscribeMessage, or the H5 stand-in); must reach WeChat before
   * its first await. Resolves to what was decided, {} when nothing was (a failure is not the member's refusal).
   */
  request(templateIds: string[], titles: Record<string, string>): Promise<Record<string, SubscribeDecision>>;
  report(request: ReportSubscriptionsRequest): Promise<MessagePreferencesResponse>;
  newKey(): string;
  /** The report may not have reached the server (no answer, 5xx): send it again with the same key. */
  retryable(error: unknown): boolean;
  wait(ms: number): Promise<void>;
  now(): number;
  /** Reports still to deliver, kept across app runs (optional: without it they live for this run only). */
  loadUnsent?(): ReportSubscriptionsRequest[];
  saveUnsent?(reports: ReportSubscriptionsRequest[]): void;
}

export interface AskOutcome {
  /** The template ids put to the member; empty when there was nothing to ask. */
  asked: string[];
  results: Record<string, SubscribeDecision>;
  /** The server's answer to the report; null when nothing was reported or the report is still pending. */
  preferences: MessagePreferencesResponse | null;
}

/** Preferences younger than this are used as they are when a page warms them. */
export const PREFERENCES_MAX_AGE_MS = 30_000;
/** Waits before the 2nd and 3rd attempt of a report that got no answer; then it waits for the next load. */
export const REPORT_RETRY_DELAYS_MS = [800, 2_500] as const;

/** A sheet open this long without an answer is taken as gone. */
export const SHEET_ABANDONED_MS = 120_000;

const NOTHING: AskOutcome = { asked: [], results: {}, preferences: null };

export type PreferencesListener = (preferences: MessagePreferencesResponse) => void;

export function createSubscriber(deps: SubscriberDeps) {
  let cached: { preferences: MessagePreferencesResponse; at: number } | null = null;
  let inFlight: Promise<MessagePreferencesResponse> | null = null;
  /** Bumped by reset(), so an answer for the previous member never lands in the cache. */
  let generation = 0;
  /** The sheet on screen and when it was put up; null when none is. */
  let sheet: { since: number } | null = null;
  let unsent: ReportSubscriptionsRequest[] = safe(() => deps.loadUnsent?.() ?? [], []);
  const listeners = new Set<PreferencesListener>();

  function keep(preferences: MessagePreferencesResponse, forGeneration: number): MessagePreferencesResponse {
    if (forGeneration !== generation) return preferences;
    cached = { preferences, at: deps.now() };
    listeners.forEach((listener) => listener(preferences));
    return preferences;
  }

  function setUnsent(reports: ReportSubscriptionsRequest[]): void {
    unsent = reports;
    safe(() => deps.saveUnsent?.(reports), undefined);
  }

  /** One report, retried with its own key while the outcome is unknown; null when it has to wait. */
  async function deliver(report: ReportSubscriptionsRequest, forGeneration: number): Promise<MessagePreferencesResponse | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        const preferences = await deps.report(report);
        setUnsent(unsent.filter((r) => r.idempotencyKey !== report.idempotencyKey));
        return keep(preferences, forGeneration);
      } catch (error) {
        if (!deps.retryable(error)) {
          // The server read it and said no (not a member, bad input): sending it again changes nothing.
          setUnsent(unsent.filter((r) => r.idempotencyKey !== report.idempotencyKey));
          return null;
        }
        if (attempt >= REPORT_RETRY_DELAYS_MS.length) {
          if (!unsent.some((r) => r.idempotencyKey === report.idempotencyKey)) setUnsent([...unsent, report]);
          return null;
        }
        await deps.wait(REPORT_RETRY_DELAYS_MS[attempt]);
      }
    }
  }

  /** Reports an earlier run or attempt could not deliver, oldest first, each with its own first key. */
  async function flushUnsent(forGeneration: number): Promise<void> {
    for (const report of [...unsent]) {
      try {
        const preferences = await deps.report(report);
        setUnsent(unsent.filter((r) => r.idempotencyKey !== report.idempotencyKey));
        keep(preferences, forGeneration);
      } catch (error) {
        if (deps.retryable(error)) return; // still offline: keep them all for the next load
        setUnsent(unsent.filter((r) => r.idempotencyKey !== report.idempotencyKey));
      }
    }
  }

  /** Fresh from the server (shared with a load already under way). */
  function refresh(): Promise<MessagePreferencesResponse> {
    if (!inFlight) {
      const forGeneration = generation;
      inFlight = (async () => {
        if (unsent.length > 0) await flushUnsent(forGeneration);
        return keep(await deps.fetchPreferences(), forGeneration);
      })().finally(() => {
        inFlight = null;
      });
    }
    return inFlight;
  }

  /** The kept preferences when recent enough, else fresh ones: what a page calls when it opens. */
  function warm(): Promise<MessagePreferencesResponse> {
    if (cached && deps.now() - cached.at < PREFERENCES_MAX_AGE_MS && unsent.length === 0) return Promise.resolve(cached.preferences);
    return refresh();
  }

  /**
   * A sheet is up: a second tap puts up no second one. A sheet that never answered (the H5 stand-in is dropped
   * when the page changes underneath it) stops counting after a while.
   */
  function sheetOpen(): boolean {
    return sheet !== null && deps.now() - sheet.since < SHEET_ABANDONED_MS;
  }

  function ask(moment: SubscribeMoment, preferences: MessagePreferencesResponse): Promise<AskOutcome> {
    const kinds = kindsToAsk(preferences, moment);
    if (kinds.length === 0 || sheetOpen()) return Promise.resolve(NOTHING);
    const asked = kinds.map((k) => k.templateId);
    const forGeneration = generation;
    const mine = { since: deps.now() };
    sheet = mine;
    const done = () => {
      if (sheet === mine) sheet = null;
    };
    let answer: Promise<Record<string, SubscribeDecision>>;
    try {
      answer = deps.request(asked, titlesOf(kinds));
    } catch {
      answer = Promise.resolve({});
    }
    return answer
      .catch(() => ({}) as Record<string, SubscribeDecision>)
      .then(async (results) => {
        done();
        const report = buildReport(results, moment, deps.newKey());
        // No report for another member than the one who answered (the session changed meanwhile).
        if (!report || forGeneration !== generation) return { asked, results: report?.results ?? {}, preferences: null };
        // Older reports first, so the answer kept last counts them all.
        if (unsent.length > 0) await flushUnsent(forGeneration);
        const confirmed = await deliver(report, forGeneration);
        return { asked, results: report.results, preferences: confirmed };
      })
      .finally(done);
  }

  /**
   * Asks for the kinds `moment` still needs and reports the answer. Never rejects: the member's action (the
   * claim, the birthday) goes on whatever happens here. Call it first thing in a tap handler.
   */
  function askAtMoment(moment: SubscribeMoment): Promise<AskOutcome> {
    if (cached) return ask(moment, cached.preferences);
    // Nothing loaded yet: load, then ask. The browser does not mind; WeChat may refuse a call that no longer
    // follows the tap, which decides nothing and reports nothing.
    return refresh().then(
      (preferences) => ask(moment, preferences),
      () => NOTHING,
    );
  }

  return {
    askAtMoment,
    warm,
    refresh,
    /** What is kept, without asking the server. */
    peek: (): MessagePreferencesResponse | null => cached?.preferences ?? null,
    /** An answer from elsewhere (a switch) replaces the kept preferences. */
    accept: (preferences: MessagePreferencesResponse) => keep(preferences, generation),
    onChange(listener: PreferencesListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Another member on this device: forget what was kept for the previous one. */
    reset(): void {
      generation++;
      cached = null;
      inFlight = null;
      sheet = null;
      unsent = safe(() => deps.loadUnsent?.() ?? [], []);
    },
    /** Reports waiting for the network (for tests and diagnostics). */
    pending: (): readonly ReportSubscriptionsRequest[] => unsent,
  };
}

export type Subscriber = ReturnType<typeof createSubscriber>;

function safe<T>(run: () => T, fallback: T): T {
  try {
    return run();
  } catch {
    return fallback;
  }
}
