// npm run bench -- model [--histories N] [--batches B] [--per-batch P] [--minutes M] [--seed S]: the long run of
// issue 14's model-based concurrency test (server/src/testing/model). The model boots the Nest application
// in-process, which needs decorator metadata (swc under jest, not tsx), so this runs that jest test with long
// settings; the test measures histories per minute with concurrent batches (ours) and the same kind of histories
// one operation at a time (baseline), and writes test/bench/results/model.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/processes';
import { numberArg } from './harness';

const histories = numberArg('histories', 600);
const batches = numberArg('batches', 8);
const perBatch = numberArg('per-batch', 4);
const minutes = numberArg('minutes', 20);
const seedIndex = process.argv.indexOf('--seed');
const seed = seedIndex >= 0 ? process.argv[seedIndex + 1] : String(Date.now() % 2_147_483_647);
const dir = join(REPO_ROOT, 'test', 'bench', 'results');
mkdirSync(dir, { recursive: true });
const result = join(dir, 'model.json');
rmSync(result, { force: true });

process.stdout.write(
  `model benchmark: ${histories} histories of ≤ ${batches} batches × ${perBatch} operations, seed ${seed}, at most ${minutes} min\n`,
);
const run = spawnSync(
  process.execPath,
  [
    join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--config',
    'test/jest.config.js',
    '--selectProjects',
    'server',
    '--testTimeout',
    String((minutes + 5) * 60_000),
    '--',
    'testing/model/model.test',
  ],
  {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEST_DATABASES: 'mariadb',
      MODEL_HISTORIES: String(histories),
      MODEL_MAX_BATCHES: String(batches),
      MODEL_PER_BATCH: String(perBatch),
      MODEL_SEED: seed,
      MODEL_TIME_LIMIT_MS: String(minutes * 60_000),
      MODEL_RESULT: result,
    },
  },
);
try {
  const written = JSON.parse(readFileSync(result, 'utf8'));
  process.stdout.write(
    `\nmodel: ours ${written.ours} histories/min, baseline ${written.baseline}, ratio ${written.ratio}, ` +
      `violations ${written.violations}, ${written.params.operations} operations\n` +
      'written to test/bench/results/model.json\n',
  );
} catch {
  process.stderr.write('model: no result written\n');
}
process.exit(run.status ?? 1);
