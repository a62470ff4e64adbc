import type { AppConfig } from '@member/config';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { JobRunner } from '../jobs/job-runner';
import { Coupon } from './coupon.entity';

const CHUNK = 1000;

/**
 * Moves coupons whose validity ended to "expired", in chunks (one short transaction each), once per period
 * across all instances. The wallet already shows such coupons as expired before the sweep reaches them;
 * the sweep makes the rows say so too, for reports and for the expired tab's index.
 */
@Injectable()
export class CouponExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CouponExpiryJob.name);
  private stop: () => void = () => undefined;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.jobs.repeat(this.config.coupons.expirySweepSeconds, 'coupon-expiry', () => this.runScheduled());
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** The scheduled entry point: at most once per period across instances. */
  runScheduled(): Promise<string | null> {
    const now = this.clock.now();
    return this.jobs.runOnce('coupon-expiry', JobRunner.periodOf(now, Math.max(this.config.coupons.expirySweepSeconds, 1)), async () => `expired ${await this.sweep(now)} coupons`);
  }

  /** Idempotent: expires what has ended by `now`, chunk by chunk; returns how many it changed. */
  async sweep(now: Date): Promise<number> {
    const lastValidSecond = new Date(Math.floor(now.getTime() / 1000) * 1000 - 1000);
    let total = 0;
    for (;;) {
      const ids = (
        await this.dataSource
          .getRepository(Coupon)
          .createQueryBuilder('c')
          .select('c.id', 'id')
          .where("c.status = 'available' AND c.valid_until <= :lastValidSecond", { lastValidSecond })
          .orderBy('c.id')
          .limit(CHUNK)
          .getRawMany<{ id: number }>()
      ).map((row) => Number(row.id));
      if (!ids.length) return total;
      const result = await this.transactions.run((em) =>
        em.createQueryBuilder().update(Coupon).set({ status: 'expired' }).where("id IN (:...ids) AND status = 'available'", { ids }).execute(),
      );
      total += result.affected ?? 0;
      if (ids.length < CHUNK) return total;
    }
  }
}
