import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { CampaignsService } from './campaigns.service';

/**
 * Every instance ticks (an every-instance declared job; CAMPAIGN_SCHEDULER_EVERY_SECONDS=0 switches one off):
 * runs are created once per campaign and period (unique key) and issued chunk by chunk under the run's
 * checkpoint, so instances share the work instead of doubling it. A tick still running is not overlapped by
 * the next, nor by a direct call (runOnce joins it).
 */
@ScheduledJob({ name: 'campaign-scheduler', every: (config) => config.campaigns.schedulerEverySeconds, takeOver: 'every-instance' })
export class CampaignSchedulerJob implements DeclaredJob<number> {
  private running: Promise<number> | null = null;

  constructor(private readonly campaigns: CampaignsService) {}

  run(): Promise<number> {
    return this.runOnce();
  }

  runOnce(): Promise<number> {
    this.running ??= this.campaigns.tick().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
