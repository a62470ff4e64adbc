import { Module } from '@nestjs/common';
import { CouponsModule } from '../../coupons/coupons.module';
import { JobRunner } from '../../jobs/job-runner';
import { PointsModule } from '../../points/points.module';
import { PayReconcileJob } from './pay-reconcile.job';
import { PayController, PayNotifyController, StaffPayController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { WechatPayClient } from './wechat-pay.client';

@Module({
  imports: [CouponsModule, PointsModule],
  controllers: [PayController, StaffPayController, PayNotifyController],
  providers: [WechatPayClient, PaymentsService, PayReconcileJob, JobRunner],
  exports: [PaymentsService, PayReconcileJob],
})
export class PaymentsModule {}
