import type { AppConfig } from '@member/config';
import { lifecycleStatus, reviewTier, type LifecycleStatus, type TierCode } from '@member/shared';
import { Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { sqlDate, sqlDateValue as asDate } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { membersRepository } from '../members/members.repository';
import { spendInWindow } from '../points/spend';

const CHUNK = 500;

interface MemberRow {
  id: number | string;
  tier: TierCode;
  lifecycleStatus: LifecycleStatus;
  joinedAt: Date | string;
  lastPurchaseAt: Date | string | null;
  tierBelowSince: Date | string | null;
}

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
      const members: MemberRow[] = await this.dataSource.query(
        `SELECT id, tier, lifecycle_status AS lifecycleStatus, joined_at AS joinedAt, last_purchase_at AS lastPurchaseAt, tier_below_since AS tierBelowSince
           FROM member WHERE id > ? AND joined_at IS NOT NULL ORDER BY id LIMIT ?`,
        [afterId, CHUNK],
      );
      if (members.length === 0) return outcome;
      afterId = Number(members[members.length - 1].id);
      const monthly = await this.purchasesPerMonth(
        members.map((m) => Number(m.id)),
        now,
      );
      for (const member of members) {
        outcome.reviewed++;
        await this.reviewLifecycle(member, monthly.get(Number(member.id)) ?? [], now, outcome);
        if (this.isAboveEntryTier(member.tier) || member.tierBelowSince !== null)
          await this.reviewMemberTier(Number(member.id), now, outcome);
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

  private async reviewLifecycle(member: MemberRow, months: number[], now: Date, outcome: ReviewOutcome): Promise<void> {
    const status = lifecycleStatus({
      joinedAt: asDate(member.joinedAt)!,
      lastPurchaseAt: asDate(member.lastPurchaseAt),
      purchasesInLastMonths: months,
      now,
      rule: this.config.lifecycle,
    });
    if (status === member.lifecycleStatus) return;
    // Conditional on what was read, so a concurrent change of the status is never overwritten by a stale view.
    if (await membersRepository.changeLifecycleStatus(this.dataSource.manager, Number(member.id), member.lifecycleStatus, status))
      outcome.statusChanged++;
  }

  /** Purchases (not fully refunded) per member in each of the last complete business-calendar months, most recent first. */
  private async purchasesPerMonth(memberIds: number[], now: Date): Promise<Map<number, number[]>> {
    const zone = this.config.businessCalendar.timeZone;
    const months = this.config.lifecycle.regularMonths;
    const thisMonth = DateTime.fromJSDate(now, { zone }).startOf('month');
    const from = thisMonth.minus({ months }).toJSDate();
    const placeholders = memberIds.map(() => '?').join(',');
    const rows: Array<{ memberId: number | string; purchasedAt: Date | string }> = await this.dataSource.query(
      `SELECT member_id AS memberId, purchased_at AS purchasedAt FROM purchase
        WHERE member_id IN (${placeholders}) AND purchased_at >= ? AND purchased_at < ? AND refunded_fen < paid_fen`,
      [...memberIds, sqlDate(this.dataSource.manager, from), sqlDate(this.dataSource.manager, thisMonth.toJSDate())],
    );
    const counts = new Map<number, number[]>();
    for (const row of rows) {
      const at = DateTime.fromJSDate(asDate(row.purchasedAt)!, { zone }).startOf('month');
      const index = Math.round(thisMonth.diff(at, 'months').months) - 1; // 0 = last month
      if (index < 0 || index >= months) continue;
      const list = counts.get(Number(row.memberId)) ?? new Array<number>(months).fill(0);
      list[index]++;
      counts.set(Number(row.memberId), list);
    }
    return counts;
  }
}
