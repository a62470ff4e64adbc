import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobRunner } from './job-runner';
import { JobScheduler } from './job-scheduler';

/**
 * The one jobs module (AppModule imports it once): JobScheduler finds the providers declared with
 * `@ScheduledJob` in every module and runs them. Global, so job classes stay in their own modules and need
 * not import this one; JobRunner is exported for what claims periods itself (the scheduler, tests).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [JobRunner, JobScheduler],
  exports: [JobRunner, JobScheduler],
})
export class JobsModule {}
