import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { JobRunner } from '../jobs/job-runner';
import { MessagesModule } from '../messages/messages.module';
import { PointsModule } from '../points/points.module';
import { CampaignIssuer } from './campaign-issuer';
import { CampaignSchedulerJob } from './campaign-scheduler.job';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { CouponReminderJob } from './coupon-reminder.job';

@Module({
  imports: [CouponsModule, MessagesModule, PointsModule],
  controllers: [CampaignsController],
  providers: [CampaignIssuer, CampaignsService, CampaignSchedulerJob, CouponReminderJob, JobRunner],
  exports: [CampaignsService, CampaignIssuer, CampaignSchedulerJob, CouponReminderJob],
})
export class CampaignsModule {}
