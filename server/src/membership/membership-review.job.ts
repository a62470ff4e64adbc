import type { AppConfig } from '@member/config';
import { lifecycleStatus, reviewTier, type TierCode } from '@member/shared';
import { Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { membersRepository, type MemberRecord } from '../members/members.repository';
import { ordersRepository } from '../orders/orders.repository';
import { spendInWindow } from '../points/spend';

const CHUNK = 500;

/** What the review decides on, per member (membersRepository.joinedAfter). */
type ReviewedMember = Pick<MemberRecord, 'id' | 'tier' | 'lifecycleStatus' | 'joinedAt' | 'lastPurchaseAt' | 'tierBelowSince'>;

export interface ReviewOutcome {
  reviewed: number;
  downgraded: number;
  graceStarted: number;
  statusChanged: number;
}

/**
 * The periodic review of every joined member, in id-range chunks: tier downgrades after the grace period and
 * lifecycle statuses. A tier change is decided inside a transaction holding the member's row lock (the same
 * lock every purchase takes to move points), with the spend read after the lock: the review can never
 * interleave with a purchase, so a tier never drops in the middle of one. Running it twice, or on two
 * instances at once, gives the same result: every decision is a function of the data and the clock.
 */
@ScheduledJob({ name: 'membership-review', every: (config) => config.membershipReview.runEverySeconds })
export class MembershipReviewJob implements DeclaredJob<ReviewOutcome> {
  private readonly logger = new Logger(MembershipReviewJob.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  run(now: Date): Promise<ReviewOutcome> {
    return this.review(now);
  }

  async review(now: Date = this.clock.now()): Promise<ReviewOutcome> {
    const outcome: ReviewOutcome = { reviewed: 0, downgraded: 0, graceStarted: 0, statusChanged: 0 };
    let afterId = 0;
    for (;;) {
      const members = await membersRepository.joinedAfter(this.dataSource.manager, afterId, CHUNK);
      if (members.length === 0) return outcome;
      afterId = members[members.length - 1].id;
      const monthly = await this.purchasesPerMonth(
        members.map((m) => m.id),
        now,
      );
      for (const member of members) {
        outcome.reviewed++;
        await this.reviewLifecycle(member, monthly.get(member.id) ?? [], now, outcome);
        if (this.isAboveEntryTier(member.tier) || member.tierBelowSince !== null) await this.reviewMemberTier(member.id, now, outcome);
      }
    }
  }

  private isAboveEntryTier(code: TierCode): boolean {
    const entry = [...this.config.tiers].sort((a, b) => a.minSpendFen - b.minSpendFen)[0];
    return code !== entry.code;
  }

  private async reviewMemberTier(memberId: number, now: Date, outcome: ReviewOutcome): Promise<void> {
    await this.transactions.run(async (em) => {
      // The row lock first (members owns the row), every read after it: the tier from the locking read itself,
      // the grace start and the spend from reads that, on MySQL, start the transaction's snapshot after the lock.
      const tier = await membersRepository.lockTier(em, memberId);
      const row = await membersRepository.find(em, memberId);
      if (!row) return;
      const spendFen = await spendInWindow(em, memberId, now, this.config.tierWindowMonths, this.config.businessCalendar.timeZone);
      const belowSince = row.tierBelowSince;
      const decision = reviewTier({
        tiers: this.config.tiers,
        current: tier,
        spendFen,
        belowSince,
        now,
        graceDays: this.config.membershipReview.tierGraceDays,
      });
      if (decision.tier === tier && decision.belowSince?.getTime() === belowSince?.getTime()) return;
      await membersRepository.setTier(em, memberId, decision.tier, decision.belowSince);
      if (decision.downgraded) {
        outcome.downgraded++;
        this.logger.log({ memberId, from: tier, to: decision.tier, spendFen }, 'tier lowered after the grace period');
      } else if (decision.belowSince && !belowSince) outcome.graceStarted++;
    });
  }

  private async reviewLifecycle(member: ReviewedMember, months: number[], now: Date, outcome: ReviewOutcome): Promise<void> {
    const status = lifecycleStatus({
      // Joined members only (joinedAfter), so joinedAt is set.
      joinedAt: member.joinedAt!,
      lastPurchaseAt: member.lastPurchaseAt,
      purchasesInLastMonths: months,
      now,
      rule: this.config.lifecycle,
    });
    if (status === member.lifecycleStatus) return;
    // Conditional on what was read, so a concurrent change of the status is never overwritten by a stale view. In a
    // TransactionRunner transaction like every write, so a deadlock with a sale touching the member's row is retried
    // there instead of failing the whole review run.
    const changed = await this.transactions.run((em) =>
      membersRepository.changeLifecycleStatus(em, member.id, member.lifecycleStatus, status),
    );
    if (changed) outcome.statusChanged++;
  }

  /** Purchases (not fully refunded) per member in each of the last complete business-calendar months, most recent first. */
  private async purchasesPerMonth(memberIds: number[], now: Date): Promise<Map<number, number[]>> {
    const zone = this.config.businessCalendar.timeZone;
    const months = this.config.lifecycle.regularMonths;
    const thisMonth = DateTime.fromJSDate(now, { zone }).startOf('month');
    const from = thisMonth.minus({ months }).toJSDate();
    const rows = await ordersRepository.purchaseTimes(this.dataSource.manager, memberIds, from, thisMonth.toJSDate());
    const counts = new Map<number, number[]>();
    for (const row of rows) {
      const at = DateTime.fromJSDate(row.purchasedAt, { zone }).startOf('month');
      const index = Math.round(thisMonth.diff(at, 'months').months) - 1; // 0 = last month
      if (index < 0 || index >= months) continue;
      const list = counts.get(Number(row.memberId)) ?? new Array<number>(months).fill(0);
      list[index]++;
      counts.set(Number(row.memberId), list);
    }
    return counts;
  }
}
