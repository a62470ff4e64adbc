import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { CampaignsService } from './campaigns.service';
import { SystemCampaign } from './system-campaigns';

/**
 * The coupon-expiry reminder (券到期提醒): once a day from messages.couponExpiringReminder.runAtLocalTime, members
 * who can still be reached and hold an unused coupon whose last day is `daysBefore` days away get one message per
 * coupon. It is the 'coupon-reminder' system campaign (its plan: coupon-reminder.program.ts), issued by the campaign
 * runner like any campaign (audience in member id chunks under the run's checkpoint, so a crash resumes and two
 * instances share the run); this job only starts the day's run at its time. The
 * outbox's dedupe key `coupon-expiring:<coupon id>` keeps it to one message per coupon whatever reruns.
 */
@ScheduledJob({
  name: 'coupon-reminder',
  dailyAt: (config) => config.messages.couponExpiringReminder.runAtLocalTime,
  takeOverAfterSeconds: 15 * 60,
})
export class CouponReminderJob implements DeclaredJob<number> {
  constructor(private readonly campaigns: CampaignsService) {}

  run(now: Date): Promise<number> {
    return this.remind(now);
  }

  outcome(queued: number): string {
    return `queued ${queued} reminders`;
  }

  /** Runs the reminder for `now`'s business day (once: a second call finds the day's run done); answers how many this call queued. */
  async remind(now: Date): Promise<number> {
    return (await this.campaigns.runSystemCampaign(SystemCampaign.CouponReminder, now))?.given.messagesQueued ?? 0;
  }
}
