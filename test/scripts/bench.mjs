// npm run bench -- <name> [options]: one benchmark from test/bench/<name>.ts against real MariaDB, printing
// ours against a baseline measured in the same run and writing test/bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, step } from './lib.mjs';

const available = readdirSync(join(ROOT, 'test', 'bench'))
  .filter((f) => f.endsWith('.ts') && f !== 'harness.ts')
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [options]\navailable: ${available.join(', ')}\n`);
  process.exit(name ? 1 : 0);
}
step('TypeScript: shared, config, server', 'npx', ['tsc', '-b', 'shared', 'config', 'server']);
const result = spawnSync(process.execPath, ['--import', 'tsx', join('test', 'bench', `${name}.ts`), ...rest], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
