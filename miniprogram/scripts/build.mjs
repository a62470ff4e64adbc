#!/usr/bin/env node
/**
 * Production build for one target: `node scripts/build.mjs weapp|h5`. Sets NODE_ENV=production (sizes are only
 * meaningful on minified builds), writes project.config.json before a weapp build, and runs the Taro CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const type = process.argv[2];
if (type !== 'weapp' && type !== 'h5') {
  console.error('usage: node scripts/build.mjs weapp|h5');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The Taro CLI keeps a small global config under $HOME (~/.taro4.0): keep it, and any temp files, inside the project.
const taroHome = join(root, '.taro-home');
mkdirSync(join(taroHome, 'tmp'), { recursive: true });
const env = { ...process.env, NODE_ENV: 'production', HOME: taroHome, TMPDIR: join(taroHome, 'tmp') };

if (type === 'weapp') {
  const result = spawnSync(process.execPath, [join(root, 'scripts/write-project-config.mjs')], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const require = createRequire(import.meta.url);
const taroBin = join(dirname(require.resolve('@tarojs/cli/package.json')), 'bin', 'taro');
const started = Date.now();
const result = spawnSync(process.execPath, [taroBin, 'build', '--type', type], { cwd: root, env, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`taro build --type ${type} failed (exit ${result.status ?? result.signal})`);
  process.exit(result.status ?? 1);
}
console.log(`taro build --type ${type}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
