#!/usr/bin/env node
/**
 * Size report for the production builds (run after `npm run build:weapp` and `npm run build:h5`).
 *   weapp: main package = everything in dist/weapp except the subpackage folders named in app.json, and
 *          each subpackage's folder. WeChat's limit is 2 MB per package; this project's budget for the main
 *          package is 1 MB (the exit code is non-zero above it).
 *   h5:    total size of the JS and CSS files in dist/h5 (raw and gzip).
 * Writes dist/size.json.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const MAIN_PACKAGE_BUDGET = 1_048_576; // 1 MB
const WECHAT_PACKAGE_LIMIT = 2 * 1024 * 1024;
/** Present in dist/weapp for DevTools, never part of the uploaded package. */
const NOT_PACKAGED = new Set(['project.config.json', 'project.private.config.json']);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const weappDir = join(root, 'dist', 'weapp');
const h5Dir = join(root, 'dist', 'h5');

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function fail(message) {
  console.error(`report-size: ${message}`);
  process.exit(1);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

if (!existsSync(join(weappDir, 'app.json'))) fail('dist/weapp/app.json not found: run `npm run build:weapp` first');
if (!existsSync(h5Dir)) fail('dist/h5 not found: run `npm run build:h5` first');

// weapp
const appJson = JSON.parse(readFileSync(join(weappDir, 'app.json'), 'utf8'));
const subRoots = [...(appJson.subPackages ?? []), ...(appJson.subpackages ?? [])].map((pkg) => pkg.root.replace(/^\/+|\/+$/g, ''));
const subpackages = Object.fromEntries(subRoots.map((name) => [name, 0]));
let mainPackageBytes = 0;
let mainFiles = 0;
for (const file of listFiles(weappDir)) {
  const rel = relative(weappDir, file).split(sep).join('/');
  if (file.endsWith('.map') || NOT_PACKAGED.has(rel)) continue;
  const size = statSync(file).size;
  const sub = subRoots.find((subRoot) => rel === subRoot || rel.startsWith(`${subRoot}/`));
  if (sub) subpackages[sub] += size;
  else {
    mainPackageBytes += size;
    mainFiles += 1;
  }
}
const weappTotal = mainPackageBytes + Object.values(subpackages).reduce((a, b) => a + b, 0);

// h5
let jsBytes = 0;
let cssBytes = 0;
let gzipBytes = 0;
for (const file of listFiles(h5Dir)) {
  const isJs = file.endsWith('.js');
  const isCss = file.endsWith('.css');
  if (!isJs && !isCss) continue;
  const content = readFileSync(file);
  if (isJs) jsBytes += content.length;
  else cssBytes += content.length;
  gzipBytes += gzipSync(content, { level: 9 }).length;
}

const report = {
  weapp: {
    mainPackageBytes,
    mainPackageFiles: mainFiles,
    subpackages,
    totalBytes: weappTotal,
    mainPackageBudgetBytes: MAIN_PACKAGE_BUDGET,
    wechatPackageLimitBytes: WECHAT_PACKAGE_LIMIT,
  },
  h5: { jsBytes, cssBytes, totalBytes: jsBytes + cssBytes, gzipBytes },
  at: new Date().toISOString(),
};
writeFileSync(join(root, 'dist', 'size.json'), `${JSON.stringify(report, null, 2)}\n`);

console.log('Size report (production builds)');
console.log(
  `  weapp main package   ${String(mainPackageBytes).padStart(9)} bytes  ${kb(mainPackageBytes)}  (budget ${kb(MAIN_PACKAGE_BUDGET)})`,
);
for (const [name, bytes] of Object.entries(subpackages)) {
  console.log(`  weapp subpackage ${name.padEnd(4)}${String(bytes).padStart(9)} bytes  ${kb(bytes)}`);
}
console.log(`  weapp total          ${String(weappTotal).padStart(9)} bytes  ${kb(weappTotal)}`);
console.log(`  h5 JS + CSS          ${String(jsBytes + cssBytes).padStart(9)} bytes  ${kb(jsBytes + cssBytes)}  (gzip ${kb(gzipBytes)})`);
console.log(`  written to dist/size.json`);

const tooBig = [];
if (mainPackageBytes > MAIN_PACKAGE_BUDGET) tooBig.push(`weapp main package ${mainPackageBytes} bytes > budget ${MAIN_PACKAGE_BUDGET}`);
for (const [name, bytes] of Object.entries(subpackages)) {
  if (bytes > WECHAT_PACKAGE_LIMIT) tooBig.push(`subpackage ${name} ${bytes} bytes > WeChat limit ${WECHAT_PACKAGE_LIMIT}`);
}
if (tooBig.length) fail(tooBig.join('; '));
