import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { sqlDate } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { PointsLedger } from './points-ledger';

const CHUNK = 500;

/**
 * Expires points lots whose time has come: one ledger line per lot (`expire:lot:<id>`, unique), each lot in
 * its own short transaction. Idempotent: run twice, or by two instances at once, it expires each lot once.
 */
@ScheduledJob({ name: 'points-expiry', every: (config) => config.points.expirySweepSeconds })
export class PointsExpiryJob implements DeclaredJob<number> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly ledger: PointsLedger,
    private readonly clock: Clock,
  ) {}

  run(now: Date): Promise<number> {
    return this.sweep(now);
  }

  outcome(expired: number): string {
    return `${expired} points expired`;
  }

  /** Answers the points expired by this run. */
  async sweep(now: Date = this.clock.now()): Promise<number> {
    let expired = 0;
    let afterId = 0;
    for (;;) {
      const due: Array<{ id: number | string }> = await this.dataSource.query(
        'SELECT id FROM points_lot WHERE expires_at < ? AND remaining > 0 AND id > ? ORDER BY id LIMIT ?',
        [sqlDate(this.dataSource.manager, now), afterId, CHUNK],
      );
      if (due.length === 0) return expired;
      for (const { id } of due) {
        expired += await this.transactions.run((em) => this.ledger.expireLot(em, Number(id), now));
        afterId = Number(id);
      }
    }
  }
}
