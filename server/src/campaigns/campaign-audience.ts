import type { AppConfig } from '@member/config';
import { birthdayWindowContaining, CampaignSchedule, CouponStatus, type AudienceFilter, type CalendarDate } from '@member/shared';
import type { EntityManager } from 'typeorm';
import { addBusinessDays, businessDate } from '../common/clock';
import { sqlDate } from '../database/sql';
import { audienceQuery } from '../segments/audience-query';
import type { AudienceSql } from './campaign-plan';

/** What the audience of a campaign's run depends on. */
export interface AudienceOf {
  campaignId: number;
  /** AudienceFilter, JSON as stored. */
  filter: string;
  schedule: CampaignSchedule;
  dormantDays: number | null;
  daysBefore: number | null;
}

/**
 * The run's audience as SQL over `member m` (joined with member_rfm when the filter needs it): the staff
 * filter as of the run, joined members only, and the recurring schedule's own condition for the day.
 */
export function campaignAudience(em: EntityManager, config: AppConfig, campaign: AudienceOf, run: { id: number; asOf: Date }): AudienceSql {
  const timeZone = config.businessCalendar.timeZone;
  const query = audienceQuery(JSON.parse(campaign.filter) as AudienceFilter, {
    now: run.asOf,
    timeZone,
    date: (value) => sqlDate(em, value),
  });
  const from = query.from.includes('member m') ? query.from : `${query.from} JOIN member m ON m.id = ${query.memberId}`;
  const where = [query.where, 'm.joined_at IS NOT NULL'];
  const params = [...query.params];
  const day = (offset: number) => sqlDate(em, addBusinessDays(run.asOf, offset, timeZone));
  if (campaign.schedule === CampaignSchedule.Reactivation) {
    // Exactly N days quiet today: a member is reached once per quiet spell, on the day it reaches N.
    where.push('m.last_purchase_at >= ? AND m.last_purchase_at < ?');
    params.push(day(-(campaign.dormantDays ?? 0)), day(1 - (campaign.dormantDays ?? 0)));
  } else if (campaign.schedule === CampaignSchedule.CouponExpiry) {
    where.push(
      `EXISTS (SELECT 1 FROM coupon c WHERE c.member_id = m.id AND c.status = '${CouponStatus.Available}'` +
        ' AND c.valid_until >= ? AND c.valid_until < ?)',
    );
    // Last day at most `daysBefore` days away and not over (the reminder program's own window).
    const daysBefore = campaign.daysBefore ?? 0;
    params.push(sqlDate(em, run.asOf), day(daysBefore + 1));
  } else if (campaign.schedule === CampaignSchedule.Birthday) {
    // Members in the birthday window open today (the birthday perks' own rule, shared/rules/birthday.ts: a
    // month, or a day with 29 February celebrated on the 28th in non-leap years), once a year: a daily run
    // also reaches those who set their birthday (or joined) after the window opened, never anyone twice a year.
    const window = birthdayWindowContaining(businessDate(run.asOf, timeZone) as CalendarDate, config.birthday.perk.window);
    where.push(`m.birthday_month = ? AND m.birthday_day IN (${window.days.map(() => '?').join(', ')})`);
    params.push(window.month, ...window.days);
    where.push(
      'NOT EXISTS (SELECT 1 FROM campaign_member seen JOIN campaign_run r ON r.id = seen.run_id' +
        ' WHERE seen.member_id = m.id AND r.campaign_id = ? AND r.id <> ? AND r.period LIKE ?)',
    );
    params.push(campaign.campaignId, run.id, `${window.year}-%`);
  }
  return { from, where: where.map((w) => `(${w})`).join(' AND '), params };
}
