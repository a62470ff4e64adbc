import { ConfigError, loadConfig } from '@member/config';
import { SystemClock } from '../common/clock';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { TransactionRunner } from '../database/transaction-runner';
import { MetricsSnapshotService } from '../metrics/metrics-snapshot.service';

const USAGE = `usage: npm run metrics -- backfill <from YYYY-MM-DD> [to YYYY-MM-DD]
Writes the metrics snapshot of every business day from <from> to <to> (default: <from>) into the database named
by DATABASE_URL (or SQLITE_PATH), as POST /api/staff/metrics/backfill does; safe beside running servers (a day
being written elsewhere is waited for, then written again with the same rows).`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The backfill without a server: after an import of past sales, or the first time the metrics are switched on. */
async function main(args: string[]): Promise<number> {
  const [command, from, to = from] = args;
  if (command !== 'backfill' || !DAY.test(from ?? '') || !DAY.test(to ?? '')) {
    process.stdout.write(`${USAGE}\n`);
    return command === 'help' || command === '--help' ? 0 : 64;
  }
  const config = loadConfig();
  const dataSource = await openDatabase(dataSourceOptions(config.database));
  try {
    const snapshots = new MetricsSnapshotService(config, dataSource, new TransactionRunner(dataSource), new SystemClock());
    const result = await snapshots.backfill(from, to);
    process.stdout.write(`${result.days} days written in ${(result.tookMs / 1000).toFixed(1)} s\n`);
    for (const { statement, ms } of result.slowest) process.stdout.write(`  ${ms} ms  ${statement}…\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).stack}\n`);
    process.exit(1);
  },
);
