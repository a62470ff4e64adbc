// Small helpers shared by the root scripts (build, test, start): run a step as one line of a progress list.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Seconds since `started`, as the progress list shows them. */
export function elapsed(started) {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** Columns a string takes in a terminal: Chinese characters take two. */
function columns(text) {
  let width = 0;
  for (const char of text) width += /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(char) ? 2 : 1;
  return width;
}

/** One finished line of the progress list: `  ✔ label … 3.2 s`. */
export function done(label, started, note = '') {
  const padded = label + ' '.repeat(Math.max(1, 46 - columns(label)));
  process.stdout.write(`  ✔ ${padded}${elapsed(started).padStart(7, ' ')}${note ? `  ${note}` : ''}\n`);
}

/**
 * Runs a command as one step. Quiet by default: what the tool prints (webpack asset tables, tips, colours) is
 * kept and shown only when the step fails, so a person reads one line per step. `{ quiet: false }` streams it.
 */
export function step(label, command, args, options = {}) {
  const { quiet = true, ...spawnOptions } = options;
  const started = Date.now();
  if (!quiet) process.stdout.write(`\n▶ ${label}\n`);
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    maxBuffer: 256 * 1024 * 1024,
    ...spawnOptions,
    env: { ...process.env, ...(quiet ? { FORCE_COLOR: '0', NO_COLOR: '1' } : {}), ...spawnOptions.env },
  });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(stripVTControlCharacters(`${result.stdout ?? ''}${result.stderr ?? ''}`));
    process.stderr.write(`  ✖ ${label} failed after ${elapsed(started)}\n`);
    process.exit(result.status ?? 1);
  }
  if (quiet) done(label, started);
  else process.stdout.write(`✔ ${label} (${elapsed(started)})\n`);
}

/** Newest modification time of any file below the given folders (skipping node_modules and dist). */
export function newestMtime(folders) {
  let newest = 0;
  const walk = (path) => {
    if (!statSync(path).isDirectory()) {
      newest = Math.max(newest, statSync(path).mtimeMs);
      return;
    }
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const folder of folders) if (existsSync(join(ROOT, folder))) walk(join(ROOT, folder));
  return newest;
}

/** True when the H5 build is missing or older than the sources it is built from. */
export function h5IsStale() {
  const index = join(ROOT, 'miniprogram', 'dist', 'h5', 'index.html');
  if (!existsSync(index)) return true;
  return newestMtime(['miniprogram/src', 'miniprogram/config', 'shared/src']) > statSync(index).mtimeMs;
}

export function consoleIsStale() {
  const index = join(ROOT, 'server', 'console', 'dist', 'index.html');
  if (!existsSync(index)) return true;
  return (
    newestMtime(['server/console/src', 'server/console/index.html', 'server/console/vite.config.ts', 'shared/src']) >
    statSync(index).mtimeMs
  );
}

/** A moment in the business's time zone, as people there read it: `2026-12-04 02:18:10`. */
export function shanghaiTime(date = new Date()) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium' }).format(date);
}
