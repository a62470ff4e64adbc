import type { AppConfig } from '@member/config';
import type { BirthdayPerkRunResult } from '@member/shared';
import { Logger } from '@nestjs/common';
import { CampaignsService } from '../campaigns/campaigns.service';
import { SystemCampaign } from '../campaigns/system-campaigns';
import { InjectConfig } from '../common/app-config';
import { businessDate, Clock } from '../common/clock';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { JobScheduler } from '../jobs/job-scheduler';
import { BirthdayPerkProgram } from './birthday-perk.program';

const JOB = 'birthday-perk';

/**
 * The schedule of the birthday perks: once a business day from birthday.perk.runAtLocalTime (Asia/Shanghai by
 * default), it starts the day's run of the 'birthday-perk' system campaign, which the campaign runner issues
 * like any campaign (what a run gives: BirthdayPerkProgram). One instance runs the day (job_run); a run whose
 * instance died is taken over after 15 minutes and resumes from the run's checkpoint, and any instance's
 * campaign scheduler carries on an unfinished run too. Safe when runs overlap: each chunk is issued once.
 */
@ScheduledJob({
  name: JOB,
  dailyAt: (config) => config.birthday.perk.runAtLocalTime,
  // A day's birthdays cannot wait for tomorrow; two runs at once are harmless (each chunk is taken once).
  takeOverAfterSeconds: 15 * 60,
  // In test mode the clock jumps wherever a test puts it; tests run the job themselves (runScheduled, or
  // POST /api/test/jobs/birthday), so it never fires in the middle of another test.
  timerInTestMode: false,
})
export class BirthdayPerkJob implements DeclaredJob<BirthdayPerkRunResult> {
  private readonly logger = new Logger(BirthdayPerkJob.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly campaigns: CampaignsService,
    private readonly program: BirthdayPerkProgram,
    private readonly scheduler: JobScheduler,
  ) {}

  run(now: Date): Promise<BirthdayPerkRunResult> {
    return this.grantPerks(now);
  }

  outcome(result: BirthdayPerkRunResult): string {
    return `window ${result.window.key}: ${result.perksGranted} perks, ${result.couponsIssued} coupons, ${result.couponsShort} short`;
  }

  /** As the timer runs it: nothing before the day's time, nor when another instance has (or had) the day. */
  async runScheduled(): Promise<BirthdayPerkRunResult | null> {
    return (await this.scheduler.runScheduled<BirthdayPerkRunResult>(JOB))?.result ?? null;
  }

  /**
   * The day's run of the birthday system campaign for `now`'s business date, to its end: what this call granted
   * (a second call finds the run done and grants nothing). Idempotent, resumable, safe from several places at
   * once. `onProgress` hears (chunks of the run done, chunks in all) after each chunk this call issued.
   */
  async grantPerks(now: Date = this.clock.now(), onProgress?: (done: number, total: number) => void): Promise<BirthdayPerkRunResult> {
    const runOn = businessDate(now, this.config.businessCalendar.timeZone);
    const window = this.program.windowOf(runOn);
    const report = await this.campaigns.runSystemCampaign(SystemCampaign.BirthdayPerk, now, onProgress);
    const given = report?.given;
    const result: BirthdayPerkRunResult = {
      runOn,
      window: { kind: window.kind, key: window.key, year: window.year, opensOn: window.opensOn, closesOn: window.closesOn },
      perksGranted: given ? given.targeted - given.heldOut : 0,
      couponsIssued: given?.couponsIssued ?? 0,
      couponsShort: given?.couponsShort ?? 0,
      chunksDone: report?.chunksIssued ?? 0,
      chunksSkipped: report ? report.chunks - report.chunksIssued : 0,
    };
    if (result.couponsShort > 0)
      this.logger.warn(
        { window: window.key, templateId: this.config.birthday.perk.couponTemplateId, short: result.couponsShort },
        'birthday coupons ran out of stock',
      );
    this.logger.log({ ...result, window: window.key }, 'birthday perks granted');
    return result;
  }
}
