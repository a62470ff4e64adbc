import type { AppConfig } from '@member/config';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '../common/app-config';
import { JobRunner } from '../jobs/job-runner';
import { CampaignsService } from './campaigns.service';

/**
 * Every instance ticks: runs are created once per campaign and period (unique key) and issued chunk by chunk
 * under the run's checkpoint, so instances share the work instead of doubling it. A tick still running is
 * not overlapped by the next.
 */
@Injectable()
export class CampaignSchedulerJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private stop: () => void = () => undefined;
  private running: Promise<number> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly campaigns: CampaignsService,
    private readonly jobs: JobRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.jobs.repeat(this.config.campaigns.schedulerEverySeconds, 'campaign-scheduler', () => this.runOnce());
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  runOnce(): Promise<number> {
    this.running ??= this.campaigns.tick().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
