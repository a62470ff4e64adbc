import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { JobRunner } from '../jobs/job-runner';
import { PointsModule } from '../points/points.module';
import { PayReconcileJob } from './pay/pay-reconcile.job';
import { PayController, PayNotifyController, StaffPayController } from './pay/payments.controller';
import { PaymentsService } from './pay/payments.service';
import { WechatPayClient } from './pay/wechat-pay.client';
import { StaffPurchasesController } from './purchases.controller';
import { PurchasesService } from './purchases.service';
import { SaleRefunds } from './sale-refunds.service';
import { SaleSettlement } from './sale-settlement.service';

/**
 * Sales: recorded at the till or paid in the app with WeChat Pay, one sale model, one settlement and one refund
 * ceiling for both. Calls points and coupons; what a sale means for anyone else is announced as SaleSettled /
 * SaleRefunded (server/src/events), never called from here.
 */
@Module({
  imports: [CouponsModule, PointsModule],
  controllers: [StaffPurchasesController, PayController, StaffPayController, PayNotifyController],
  providers: [SaleSettlement, SaleRefunds, PurchasesService, WechatPayClient, PaymentsService, PayReconcileJob, JobRunner],
  exports: [SaleSettlement, PurchasesService, PaymentsService, PayReconcileJob],
})
export class OrdersModule {}
