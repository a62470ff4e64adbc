import type { AppConfig } from '@member/config';
import type { BirthdayPerkRunResult, TestClockRequest, TestClockResponse } from '@member/shared';
import { Body, Controller, Get, HttpCode, Injectable, Param, Post, UseGuards, type CanActivate } from '@nestjs/common';
import { z } from 'zod';
import { BirthdayPerkJob } from '../birthday/birthday-perk.job';
import { CampaignSchedulerJob } from '../campaigns/campaign-scheduler.job';
import { InjectConfig } from '../common/app-config';
import { Clock, isSettableClock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { ZodPipe } from '../common/zod.pipe';
import { JobScheduler } from '../jobs/job-scheduler';

const setClockBody = z.strictObject({ now: z.iso.datetime({ offset: true }) }) satisfies z.ZodType<TestClockRequest>;
const jobName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a declared job name');
/** `scheduled: true` runs the job as its timer would (due time, period claim); otherwise it runs now, unclaimed. */
const runJobBody = z.strictObject({ scheduled: z.boolean().optional() }).optional();

export type TestJobRunResponse = { job: string; ran: boolean; period?: string; result?: unknown };

/**
 * Test mode only. The module is not even loaded in another mode (see AppModule); this guard answers 404 as
 * well, so the routes stay closed if the module is ever imported by mistake.
 */
@Injectable()
export class TestModeGuard implements CanActivate {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (this.config.env !== 'test') throw new DomainError('NOT_FOUND');
    return true;
  }
}

/** What end-to-end tests need from a server they cannot otherwise steer: its clock, and the daily jobs on demand. */
@Controller('test')
@UseGuards(TestModeGuard)
export class TestModeController {
  constructor(
    private readonly clock: Clock,
    private readonly birthdayPerks: BirthdayPerkJob,
    private readonly campaignScheduler: CampaignSchedulerJob,
    private readonly jobs: JobScheduler,
  ) {}

  @Get('clock')
  now(): TestClockResponse {
    return { now: this.clock.now().toISOString() };
  }

  /** Sets the server's clock (it runs on from there). Sessions are judged by it: log in again after a jump. */
  @Post('clock')
  @HttpCode(200)
  setClock(@Body(new ZodPipe(setClockBody)) body: TestClockRequest): TestClockResponse {
    if (!isSettableClock(this.clock)) throw new DomainError('NOT_FOUND');
    this.clock.set(body.now);
    return { now: this.clock.now().toISOString() };
  }

  /** Runs the birthday job now, for the business day of the server's clock (idempotent like the daily run). */
  @Post('jobs/birthday')
  @HttpCode(200)
  runBirthdayJob(): Promise<BirthdayPerkRunResult> {
    return this.birthdayPerks.grantPerks();
  }

  /**
   * Any declared job (@ScheduledJob) by name, now: its result, or with `{"scheduled": true}` as its timer would
   * run it (ran: false when not due, or when the period was already taken). Unknown names answer 404.
   */
  @Post('jobs/:name')
  @HttpCode(200)
  async runJob(
    @Param('name', new ZodPipe(jobName)) name: string,
    @Body(new ZodPipe(runJobBody)) body: z.infer<typeof runJobBody>,
  ): Promise<TestJobRunResponse> {
    if (!body?.scheduled) return { job: name, ran: true, result: await this.jobs.runNow(name) };
    const run = await this.jobs.runScheduled(name);
    return run ? { job: name, ran: true, period: run.period, result: run.result } : { job: name, ran: false };
  }

  /** One campaign scheduler pass now (start due runs, issue unfinished ones to the end); answers the runs it worked on. */
  @Post('jobs/campaigns')
  @HttpCode(200)
  async runCampaigns(): Promise<{ runs: number }> {
    return { runs: await this.campaignScheduler.runOnce() };
  }
}
