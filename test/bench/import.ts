// npm run bench -- import [--members 100000] [--export-members 1000000]
// Member import (issue 18) end to end on the built server and MariaDB: an admin uploads a CSV of `members` rows
// (phone, name, birthday, tier, points with expiry, external id), the dry run judges every row, then the import
// commits chunk by chunk (members through members, opening points through the ledger with lots, tiers through
// membership, the resume point with each chunk). Baseline, same run, same database: the same rows (phones
// already sealed and hashed, so no crypto is timed) written by a raw multi-row INSERT, 2,000 rows a statement,
// into a table made LIKE member (its columns and indexes). The ratio is rows/s of ours (upload + dry run + import)
// ÷ rows/s of the raw INSERT.
// Violations: members or ledger lines other than one per row, a balance other than the file's, any invariant.
// Then the members export: the table is grown to `export-members` members (INSERT … SELECT), exported as CSV and
// as XLSX over HTTP, reporting rows/s and the server's peak RSS (sampled from /proc) against its RSS before.
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { PhoneVault } from '../../server/src/members/phone-vault';
import { checkInvariants } from '../../server/src/testing/invariants';
import { TEST_SECRETS } from '../../server/src/testing/secrets';
import { TestApi } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';
import { numberArg, report } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const phoneOf = (i: number) => `13${String(i).padStart(9, '0')}`;
const baselinePhoneOf = (i: number) => `15${String(i).padStart(9, '0')}`;
const tiers = ['normal', 'silver', 'gold'];

function csvOf(count: number): Buffer {
  const lines = ['手机号,姓名,生日,等级,积分,积分有效期,外部编号'];
  for (let i = 0; i < count; i++) {
    const birthday = `19${70 + (i % 30)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    lines.push(`${phoneOf(i)},会员${i},${birthday},${tiers[i % 3]},${(i % 50) * 20},2030-12-31,BENCH-${i}`);
  }
  return Buffer.from(`\uFEFF${lines.join('\n')}\n`, 'utf8');
}

/** Resident memory of a process, in MB, from /proc (Linux). */
function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

async function main(): Promise<void> {
  const count = numberArg('members', 100_000);
  const exportMembers = numberArg('export-members', 1_000_000);
  process.stdout.write(`import benchmark: ${count} members, then an export of ${exportMembers}\n`);
  // The server's V8 heap is capped well below what a 1 M-row export weighs (77 MB of CSV, ~300 MB of XLSX XML
  // before compression): an export that held its rows would die of it. RSS alone says little (V8 grows the heap
  // lazily and gives it back later), so the cap is the proof of flat memory, and RSS the context.
  const heapMb = numberArg('heap-mb', 256);
  const stack: Stack = await startStack({
    database: 'mariadb',
    staff: [{ user: 'bench-import-hq', role: 'admin' }],
    nodeArgs: [`--max-old-space-size=${heapMb}`],
  });
  const db = await new DataSource({ type: 'mysql', url: stack.databaseUrl!, timezone: 'Z', poolSize: 2 }).initialize();
  try {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('bench-import-hq')).token;
    let violations = 0;

    // Baseline: the same rows by raw multi-row INSERT (phones sealed beforehand: only the database write is timed).
    const vault = new PhoneVault(TEST_SECRETS.PHONE_ENCRYPTION_KEY);
    const rows = Array.from({ length: count }, (_, i) => {
      const normalized = PhoneVault.normalize('86', baselinePhoneOf(i));
      return [
        `raw:${i}`,
        vault.seal(normalized),
        vault.lookupHash(normalized),
        PhoneVault.mask(baselinePhoneOf(i)),
        `会员${i}`,
        '1990-01-01',
        1,
        1,
        tiers[i % 3],
        (i % 50) * 20,
        `RAW-${i}`,
        new Date(),
        new Date(),
        1,
      ];
    });
    const columns =
      'openid, phone_cipher, phone_hash, phone_masked, nickname, birthday, birthday_month, birthday_day, tier, points_balance, ' +
      'external_id, joined_at, imported_at, version';
    // A table made LIKE member (same columns and indexes), so the baseline's rows leave nothing behind in member for
    // the import's checks to wade through (a DELETE of 100,000 rows kept InnoDB's purge busy during the dry run).
    await db.query('CREATE TABLE bench_member LIKE member');
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 2000) {
      const batch = rows.slice(i, i + 2000);
      await db.query(
        `INSERT INTO bench_member (${columns}) VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        batch.flat(),
      );
      if (i % 20_000 === 0) process.stdout.write(`\r  baseline: raw INSERT ${Math.min(i + 2000, count)}/${count}   `);
    }
    const baselineSeconds = (performance.now() - t0) / 1000;
    const baseline = Math.round(count / baselineSeconds);
    process.stdout.write(`\r  baseline: raw multi-row INSERT ${baseline} rows/s (${baselineSeconds.toFixed(1)} s)\n`);
    await db.query('DROP TABLE bench_member');

    // Ours: upload + dry run, then the import to its end.
    const file = csvOf(count);
    const t1 = performance.now();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)]), 'bench.csv');
    const uploaded = await fetch(`${stack.serverUrl}/api/staff/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
    const checked = (await uploaded.json()) as { job: { id: number; rowsValid: number } };
    const dryRunSeconds = (performance.now() - t1) / 1000;
    if (checked.job?.rowsValid !== count) throw new Error(`dry run: ${JSON.stringify(checked).slice(0, 300)}`);
    process.stdout.write(`  ours: dry run of ${count} rows in ${dryRunSeconds.toFixed(1)} s\n`);
    const t2 = performance.now();
    await api.call('POST', `/staff/imports/${checked.job.id}/start`, { token: admin });
    let job: { status: string; rowsImported: number; cursorRow: number };
    for (;;) {
      job = (await api.call('GET', `/staff/imports/${checked.job.id}`, { token: admin })).body;
      process.stdout.write(`\r  ours: imported ${job.rowsImported}/${count}   `);
      if (job.status === 'done') break;
      await sleep(500);
    }
    const importSeconds = (performance.now() - t2) / 1000;
    const oursSeconds = (performance.now() - t1) / 1000;
    const ours = Math.round(count / oursSeconds);
    process.stdout.write(
      `\r  ours: import ${Math.round(count / importSeconds)} rows/s; ` +
        `upload + dry run + import ${ours} rows/s (${oursSeconds.toFixed(1)} s)\n`,
    );

    const [members] = await db.query('SELECT COUNT(*) AS n, SUM(points_balance) AS points FROM member WHERE imported_at IS NOT NULL');
    const [lines] = await db.query("SELECT COUNT(*) AS n, SUM(delta) AS points FROM points_ledger WHERE reason = 'import'");
    const expectedPoints = Array.from({ length: count }, (_, i) => (i % 50) * 20).reduce((a, b) => a + b, 0);
    const expectedLines = Array.from({ length: count }, (_, i) => i % 50).filter((p) => p > 0).length;
    if (Number(members.n) !== count || Number(members.points) !== expectedPoints) violations++;
    if (Number(lines.n) !== expectedLines || Number(lines.points) !== expectedPoints) violations++;
    const broken = await checkInvariants(db, { emulatorUrl: stack.emulatorUrl });
    violations += broken.length;
    if (broken.length > 0) process.stdout.write(`  invariants broken: ${JSON.stringify(broken).slice(0, 500)}\n`);

    // The members export at scale. Flat memory means the server's peak RSS while exporting 1 M rows is about what
    // it is while exporting the import's 100,000: both are measured, the small one first (it also warms V8's heap).
    const exportRun = async (format: 'csv' | 'xlsx') => {
      const pid = stack.serverPid();
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
      const started = performance.now();
      const response = await fetch(`${stack.serverUrl}/api/staff/exports/members?format=${format}`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const rowsTotal = Number(response.headers.get('x-export-rows'));
      let bytes = 0;
      let newlines = 0;
      let shown = 0;
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        if (format === 'csv') for (const b of value) if (b === 10) newlines++;
        if (performance.now() - shown > 500) {
          shown = performance.now();
          process.stdout.write(`\r  export ${format}: ${(bytes / 1e6).toFixed(0)} MB   `);
        }
      }
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      if (format === 'csv' && newlines !== rowsTotal + 1) violations++;
      const result = {
        rows: rowsTotal,
        rowsPerSecond: Math.round(rowsTotal / seconds),
        seconds: Number(seconds.toFixed(1)),
        megabytes: Math.round(bytes / 1e6),
        rssBeforeMb: before,
        rssPeakMb: peak,
      };
      process.stdout.write(`\r  export ${format}: ${JSON.stringify(result)}\n`);
      return result;
    };
    const smallCsv = await exportRun('csv');
    const smallXlsx = await exportRun('xlsx');

    // Grow the table by INSERT … SELECT (copies without phones), then stream it again.
    const [{ n: have }] = await db.query('SELECT COUNT(*) AS n FROM member');
    let total = Number(have);
    for (let round = 1; total < exportMembers; round++) {
      const take = Math.min(total, exportMembers - total);
      await db.query(
        `INSERT INTO member (openid, nickname, tier, points_balance, joined_at, birthday, version)
         SELECT CONCAT('copy-${round}-', id), nickname, tier, points_balance, joined_at, birthday, 1 FROM member ORDER BY id LIMIT ${take}`,
      );
      total += take;
      process.stdout.write(`\r  export: ${total}/${exportMembers} members   `);
    }
    const csvExport = await exportRun('csv');
    const xlsxExport = await exportRun('xlsx');

    report({
      name: 'import',
      ours,
      baseline,
      unit: 'rows/s',
      violations,
      params: { members: count, chunkRows: 1000, exportMembers: total, serverHeapMb: heapMb },
      importOnlyRowsPerSecond: Math.round(count / importSeconds),
      dryRunSeconds: Number(dryRunSeconds.toFixed(1)),
      importSeconds: Number(importSeconds.toFixed(1)),
      export: { csv: csvExport, xlsx: xlsxExport, atImportSize: { csv: smallCsv, xlsx: smallXlsx } },
    });
  } finally {
    await db.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
