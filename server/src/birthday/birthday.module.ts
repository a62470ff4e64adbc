import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { JobRunner } from '../jobs/job-runner';
import { MessagesModule } from '../messages/messages.module';
import { BirthdayPerkJob } from './birthday-perk.job';

/** Birthday perks: the daily job that grants the birthday coupon and double points once a year. */
@Module({
  imports: [CouponsModule, MessagesModule],
  providers: [BirthdayPerkJob, JobRunner],
  exports: [BirthdayPerkJob],
})
export class BirthdayModule {}
