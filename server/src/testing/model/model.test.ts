// Issue 14: the model-based concurrency test. fast-check draws histories of the money-moving operations (claim,
// app pay with coupon and points, WeChat's notifications again and again, confirm polls, cancel, close/expiry by
// the reconcile job and the passing of time, till purchases, refunds by both routes, redemption and its reversal,
// points exchange, points expiry, campaign issue, birthday run, membership review); the operations of one batch
// run at the same time against the application on MariaDB; after each history every invariant of the checker must
// hold. A failing history is shrunk to a minimal one and printed.
//
// Why in-process (a service test) and not a server process: the jobs (expiry, reconcile, birthday, review,
// campaigns) and the clock are driven directly, one boot serves every history, and the checker reads the same
// database; WeChat is still the emulator over real HTTP, posting its notifications to the listening server.
//
// Bounded here (MODEL_HISTORIES, default 60: with the lot locking of 9e737e0 reverted it failed within 3-6
// histories in 3 of 4 tries, one run of 20 missed it); `npm run bench -- model` runs it long and writes
// test/bench/results/model.json (MODEL_RESULT).
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../test-app';
import { historyArbitrary, runHistory, type History, type HistoryOutcome } from './history';

const HISTORIES = Number(process.env.MODEL_HISTORIES ?? 60);
const MAX_BATCHES = Number(process.env.MODEL_MAX_BATCHES ?? 6);
const PER_BATCH = Number(process.env.MODEL_PER_BATCH ?? 4);
const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined;
const TIME_LIMIT_MS = Number(process.env.MODEL_TIME_LIMIT_MS ?? 75_000);
const RESULT = process.env.MODEL_RESULT;

const maybe = (process.env.TEST_DATABASES ?? 'mariadb').includes('mariadb') ? describe : describe.skip;

maybe('model-based concurrency on mariadb', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Refusals, lost races and refused late notifications are expected here: their warnings would drown the report.
    t = await startTestApp('mariadb', { LOG_LEVEL: 'silent' }, { pay: true });
  });
  afterAll(() => t?.close());

  it(`keeps every invariant through random concurrent histories (${HISTORIES} of ≤ ${MAX_BATCHES} batches × ${PER_BATCH})`, async () => {
    const totals = { histories: 0, operations: 0, refused: 0, unexpected: [] as string[], violations: 0, ms: 0 };
    const measure = async (history: History, concurrent: boolean): Promise<HistoryOutcome> => {
      const started = performance.now();
      const outcome = await runHistory(t, history, { concurrent });
      totals.ms += performance.now() - started;
      totals.histories++;
      totals.operations += outcome.operations;
      totals.refused += outcome.refused;
      totals.unexpected.push(...outcome.unexpected);
      if (outcome.violations.length > 0) totals.violations++;
      return outcome;
    };

    let failure: unknown = null;
    try {
      await fc.assert(
        fc.asyncProperty(historyArbitrary(MAX_BATCHES, PER_BATCH), async (history) => {
          const outcome = await measure(history, true);
          if (outcome.violations.length > 0) throw new Error(`invariants broken: ${JSON.stringify(outcome.violations)}`);
        }),
        {
          numRuns: HISTORIES,
          seed: SEED,
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          markInterruptAsFailure: false,
          endOnFailure: false,
          verbose: 1,
        },
      );
    } catch (error) {
      failure = error;
    }
    const concurrentMinutes = totals.ms / 60_000;
    const summary = {
      ...totals,
      unexpected: [...new Set(totals.unexpected)].slice(0, 20),
      unexpectedCount: totals.unexpected.length,
      perMinute: totals.histories / concurrentMinutes,
    };
    process.stdout.write(`model: ${JSON.stringify(summary)}\n`);

    if (RESULT) {
      // The baseline: the same number of histories, drawn afresh, with each batch's operations one after another.
      const samples = fc.sample(historyArbitrary(MAX_BATCHES, PER_BATCH), {
        numRuns: Math.max(1, Math.min(totals.histories, 50)),
        seed: SEED,
      });
      const started = performance.now();
      let baselineViolations = 0;
      for (const history of samples)
        baselineViolations += (await runHistory(t, history, { concurrent: false })).violations.length > 0 ? 1 : 0;
      const baseline = samples.length / ((performance.now() - started) / 60_000);
      writeFileSync(
        RESULT,
        `${JSON.stringify(
          {
            name: 'model',
            ours: Math.round(summary.perMinute * 10) / 10,
            baseline: Math.round(baseline * 10) / 10,
            unit: 'histories/min (concurrent batches; baseline: the same kind of histories run one operation at a time)',
            ratio: Math.round((summary.perMinute / baseline) * 100) / 100,
            violations: totals.violations + baselineViolations,
            params: {
              histories: totals.histories,
              operations: totals.operations,
              refused: totals.refused,
              unexpected: summary.unexpectedCount,
              maxBatches: MAX_BATCHES,
              perBatch: PER_BATCH,
              members: 3,
              seed: SEED ?? null,
              baselineHistories: samples.length,
              failure: failure ? String((failure as Error).message).slice(0, 4000) : null,
            },
            at: new Date().toISOString(),
          },
          null,
          2,
        )}\n`,
      );
    }
    if (failure) throw failure;
  });
});
