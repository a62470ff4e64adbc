import { DataSource } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { Coupon } from './coupon.entity';

const CHUNK = 1000;

/**
 * Moves coupons whose validity ended to "expired", in chunks (one short transaction each), once per period
 * across all instances. The wallet already shows such coupons as expired before the sweep reaches them;
 * the sweep makes the rows say so too, for reports and for the expired tab's index.
 */
@ScheduledJob({ name: 'coupon-expiry', every: (config) => config.coupons.expirySweepSeconds })
export class CouponExpiryJob implements DeclaredJob<number> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  run(now: Date): Promise<number> {
    return this.sweep(now);
  }

  outcome(expired: number): string {
    return `expired ${expired} coupons`;
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
        em
          .createQueryBuilder()
          .update(Coupon)
          .set({ status: 'expired' })
          .where("id IN (:...ids) AND status = 'available'", { ids })
          .execute(),
      );
      total += result.affected ?? 0;
      if (ids.length < CHUNK) return total;
    }
  }
}
