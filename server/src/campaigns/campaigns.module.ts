import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { MessagesModule } from '../messages/messages.module';
import { PointsModule } from '../points/points.module';
import { CampaignDailyReport } from './campaign-daily';
import { CampaignIssuer } from './campaign-issuer';
import { CampaignOffers } from './campaign-offers';
import { SystemCampaignPrograms } from './campaign-plan';
import { CampaignPlans } from './campaign-plans';
import { CampaignSchedulerJob } from './campaign-scheduler.job';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { CouponReminderJob } from './coupon-reminder.job';
import { CouponReminderProgram } from './coupon-reminder.program';

/**
 * Campaigns: staff's and the system's (birthday perks, the expiry reminder), all issued by one runner
 * (CampaignIssuer). Modules that own a system campaign's rules register its program in SystemCampaignPrograms.
 */
@Module({
  imports: [CouponsModule, MessagesModule, PointsModule],
  controllers: [CampaignsController],
  providers: [
    CampaignDailyReport,
    CampaignIssuer,
    CampaignOffers,
    CampaignPlans,
    SystemCampaignPrograms,
    CampaignsService,
    CampaignSchedulerJob,
    CouponReminderJob,
    CouponReminderProgram,
  ],
  exports: [CampaignsService, CampaignIssuer, CampaignSchedulerJob, CouponReminderJob, SystemCampaignPrograms],
})
export class CampaignsModule {}
