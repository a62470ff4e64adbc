import { Module } from '@nestjs/common';
import { JobRunner } from '../jobs/job-runner';
import { BirthdayPerkJob } from './birthday-perk.job';

/** Birthday perks: the daily job that grants the birthday coupon and double points once a year. */
@Module({
  providers: [BirthdayPerkJob, JobRunner],
  exports: [BirthdayPerkJob],
})
export class BirthdayModule {}
