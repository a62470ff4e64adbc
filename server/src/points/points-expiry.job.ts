import type { AppConfig } from '@member/config';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { sqlDate } from '../database/sql';
import { TransactionRunner } from '../database/transaction-runner';
import { JobRunner } from '../jobs/job-runner';
import { PointsLedger } from './points-ledger';

const CHUNK = 500;

/**
 * Expires points lots whose time has come: one ledger line per lot (`expire:lot:<id>`, unique), each lot in
 * its own short transaction. Idempotent: run twice, or by two instances at once, it expires each lot once.
 */
@Injectable()
export class PointsExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PointsExpiryJob.name);
  private stop: () => void = () => undefined;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly ledger: PointsLedger,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.points.expirySweepSeconds;
    this.stop = this.jobs.repeat(every, 'points-expiry', () => this.jobs.runOnce('points-expiry', JobRunner.periodOf(this.clock.now(), every), async () => `${await this.sweep()} points expired`));
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Answers the points expired by this run. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
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
