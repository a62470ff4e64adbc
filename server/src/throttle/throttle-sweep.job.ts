import { DataSource } from 'typeorm';
import { execute } from '../database/dialect';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';

/** Keys per DELETE: SQLite builds may stop at 999 placeholders a statement, and short statements hold locks briefly. */
const CHUNK = 500;

/**
 * Deletes rate-limit counters whose window and block have both ended. Such a row says nothing the absence of a
 * row does not (the next hit starts a fresh window either way), but without the sweep the table keeps a row for
 * every IP and member ever seen. Safe beside live traffic: the DELETE re-checks both ends in its own WHERE, so a
 * key hit again after it was picked (its window moved forward) stays.
 */
@ScheduledJob({ name: 'throttle-sweep', every: (config) => config.throttle.sweepSeconds })
export class ThrottleSweepJob implements DeclaredJob<number> {
  constructor(private readonly dataSource: DataSource) {}

  run(now: Date): Promise<number> {
    return this.sweep(now);
  }

  outcome(deleted: number): string {
    return `deleted ${deleted} ended throttle counters`;
  }

  /** Idempotent; answers how many rows it deleted. */
  async sweep(now: Date): Promise<number> {
    const nowMs = now.getTime();
    const ended = 'window_ends_ms <= ? AND blocked_until_ms <= ?';
    let deleted = 0;
    for (;;) {
      // Picked through idx_throttle_counter_window; a plain DELETE … LIMIT is MySQL-only.
      const keys = (
        (await this.dataSource.query(`SELECT throttle_key FROM throttle_counter WHERE ${ended} ORDER BY window_ends_ms LIMIT ${CHUNK}`, [
          nowMs,
          nowMs,
        ])) as Array<{ throttle_key: string }>
      ).map((row) => row.throttle_key);
      if (!keys.length) return deleted;
      deleted += await execute(
        this.dataSource.manager,
        `DELETE FROM throttle_counter WHERE throttle_key IN (${keys.map(() => '?').join(', ')}) AND ${ended}`,
        [...keys, nowMs, nowMs],
      );
      if (keys.length < CHUNK) return deleted;
    }
  }
}
