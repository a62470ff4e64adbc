import type { AppConfig } from '@member/config';
import type { CampaignRunDaily, CampaignRunDay } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { addBusinessDays, businessDate, Clock, startOfBusinessDay } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { sqlDate } from '../database/sql';
import { CampaignRun } from './campaign.entities';

/**
 * A run's revenue over time for the console's chart: per business day since the run started, what its treated
 * and held-out members paid (net of refunds) and how many of each bought. The same members and the same "since
 * the run started" as the run report's totals (CampaignsService.runView), so the days add up to them.
 */
@Injectable()
export class CampaignDailyReport {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Up to `days` business days from the run's first, ending today at the latest. */
  async daily(campaignId: number, runId: number, days: number): Promise<CampaignRunDaily> {
    const run = await this.dataSource.getRepository(CampaignRun).findOneBy({ id: runId, campaignId });
    if (!run) throw new DomainError('CAMPAIGN_NOT_FOUND');
    const zone = this.config.businessCalendar.timeZone;
    const first = startOfBusinessDay(run.startedAt, zone);
    const today = startOfBusinessDay(this.clock.now(), zone);
    const count = Math.max(1, Math.min(days, Math.round((today.getTime() - first.getTime()) / 86_400_000) + 1));
    // Day i runs [starts[i], starts[i + 1]); the first begins when the run started, not at midnight.
    const starts = Array.from({ length: count + 1 }, (_, i) => addBusinessDays(first, i, zone));
    starts[0] = run.startedAt;
    const em = this.dataSource.manager;
    // One set-based pass: each purchase falls in the day whose end it is before (a CASE over the day ends).
    const dayOf = `CASE ${starts
      .slice(1)
      .map((_, i) => `WHEN p.purchased_at < ? THEN ${i}`)
      .join(' ')} END`;
    const rows = (await this.dataSource.query(
      `SELECT cm.holdout AS holdout, ${dayOf} AS d, COUNT(DISTINCT p.member_id) AS purchasers,
              SUM(p.paid_fen - p.refunded_fen) AS revenue
         FROM campaign_member cm
         JOIN purchase p ON p.member_id = cm.member_id AND p.purchased_at >= ? AND p.purchased_at < ?
        WHERE cm.run_id = ?
        GROUP BY cm.holdout, d`,
      [...starts.slice(1).map((at) => sqlDate(em, at)), sqlDate(em, starts[0]), sqlDate(em, starts[count]), run.id],
    )) as Array<{ holdout: number | boolean | string; d: number | string; purchasers: number | string; revenue: number | string | null }>;
    const out: CampaignRunDay[] = starts.slice(0, count).map((at, i) => ({
      date: businessDate(i === 0 ? first : at, zone),
      treatedRevenueFen: 0,
      holdoutRevenueFen: 0,
      treatedPurchasers: 0,
      holdoutPurchasers: 0,
    }));
    for (const row of rows) {
      const day = out[Number(row.d)];
      if (!day) continue;
      if (Number(row.holdout)) {
        day.holdoutRevenueFen = Number(row.revenue ?? 0);
        day.holdoutPurchasers = Number(row.purchasers);
      } else {
        day.treatedRevenueFen = Number(row.revenue ?? 0);
        day.treatedPurchasers = Number(row.purchasers);
      }
    }
    return { runId: run.id, treatedMembers: run.targeted - run.heldOut, holdoutMembers: run.heldOut, days: out };
  }
}
