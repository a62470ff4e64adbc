import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/processes';

export interface LoadResult {
  operations: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** `concurrency` workers call `operation` back to back for `seconds`, with a live progress line. */
export async function runLoad(
  label: string,
  concurrency: number,
  seconds: number,
  operation: (worker: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const progress = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    process.stdout.write(
      `\r  ${label}: ${latencies.length} done, ${Math.round(latencies.length / elapsed)}/s, ${elapsed.toFixed(0)}/${seconds} s   `,
    );
  }, 1000);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await operation(worker).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) failures++;
      }
    }),
  );
  clearInterval(progress);
  return summarize(label, latencies, failures, (performance.now() - started) / 1000);
}

/** `count` operations (indexes 0…count-1) spread over `concurrency` workers, with a live progress line. */
export async function runBatch(
  label: string,
  concurrency: number,
  count: number,
  operation: (index: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const progress = setInterval(() => {
    process.stdout.write(`\r  ${label}: ${latencies.length}/${count}   `);
  }, 1000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const t0 = performance.now();
        const ok = await operation(index).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) failures++;
      }
    }),
  );
  clearInterval(progress);
  return summarize(label, latencies, failures, (performance.now() - started) / 1000);
}

/**
 * Open-loop load: `operation` started at a fixed `rate` per second for `seconds`, whatever the answers' speed.
 * Latency counts from each request's scheduled start, so a server that falls behind shows it (no coordinated
 * omission); at most `maxInFlight` run at once, later arrivals wait their turn and that wait is counted too.
 */
export async function runPaced(
  label: string,
  rate: number,
  seconds: number,
  maxInFlight: number,
  operation: (index: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const total = Math.max(1, Math.floor(rate * seconds));
  const progress = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    process.stdout.write(`\r  ${label}: ${latencies.length} done at ${rate}/s, ${elapsed.toFixed(0)}/${seconds} s   `);
  }, 1000);
  let launched = 0;
  let inFlight = 0;
  const done: Array<Promise<void>> = [];
  const waiting: Array<() => void> = [];
  const one = async (index: number) => {
    const scheduled = started + (index * 1000) / rate;
    if (inFlight >= maxInFlight) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
    const ok = await operation(index).catch(() => false);
    inFlight--;
    waiting.shift()?.();
    latencies.push(performance.now() - scheduled);
    if (!ok) failures++;
  };
  while (launched < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    while (launched < due) done.push(one(launched++));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(done);
  clearInterval(progress);
  return summarize(label, latencies, failures, (performance.now() - started) / 1000);
}

function summarize(label: string, latencies: number[], failures: number, elapsed: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
  const result = {
    operations: latencies.length,
    failures,
    seconds: Number(elapsed.toFixed(2)),
    perSecond: Math.round(latencies.length / elapsed),
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
  };
  process.stdout.write(
    `\r  ${label}: ${result.perSecond}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${failures} failed${' '.repeat(20)}\n`,
  );
  return result;
}

/** What a benchmark measured; extra fields (latencies, rerun times) ride along. */
export interface BenchMeasurement {
  name: string;
  ours: number;
  baseline: number;
  unit: string;
  violations: number;
  params: Record<string, unknown>;
  /**
   * When the bench measured its rounds in pairs (ours, then the baseline, each round), the median of the
   * per-round ratios: each pair shares the machine's state of the moment, which the two medians do not.
   * Otherwise ours / baseline.
   */
  pairedRatio?: number;
  [extra: string]: unknown;
}

/** The common result format of every bench (README.md, "Benchmarks"). */
export type BenchResult = BenchMeasurement & { ratio: number; at: string };

/** Prints the summary and writes test/bench/results/<name>.json in the common format. */
export function report(result: BenchMeasurement): BenchResult {
  // ratio is ours / baseline: higher is always better .
  const { pairedRatio, ...measured } = result;
  const ratio = pairedRatio ?? result.ours / result.baseline;
  const full: BenchResult = { ...measured, ratio: Number(ratio.toFixed(3)), at: new Date().toISOString() };
  const dir = join(REPO_ROOT, 'test', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  process.stdout.write(
    `\n${result.name}: ours ${full.ours} ${full.unit}, baseline ${full.baseline} ${full.unit}, ` +
      `ratio ${full.ratio}, violations ${full.violations}\n` +
      `written to test/bench/results/${result.name}.json\n`,
  );
  return full;
}

export function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/**
 * A lean keep-alive HTTP/1.1 JSON client for load generation. The generator shares the machine's cores
 * with the server under test; undici's fetch spent noticeably more of them per request than node:http.
 */
export function leanClient(baseUrl: string, maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const request = http.request(`${baseUrl}/api${path}`, {
        method,
        agent,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        });
      });
      request.on('error', reject);
      request.end(payload);
    });
}
