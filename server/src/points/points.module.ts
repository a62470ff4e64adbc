import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { JobRunner } from '../jobs/job-runner';
import { MessagesModule } from '../messages/messages.module';
import { PointsController, PointsShopController, StaffPurchasesController } from './points.controller';
import { PointsShopService } from './points-shop.service';
import { PointsExpiryJob } from './points-expiry.job';
import { PointsHistoryService } from './points-history.service';
import { PointsLedger } from './points-ledger';
import { PurchasesService } from '../orders/purchases.service';

@Module({
  imports: [CouponsModule, MessagesModule],
  controllers: [PointsController, PointsShopController, StaffPurchasesController],
  providers: [PointsLedger, PurchasesService, PointsHistoryService, PointsShopService, PointsExpiryJob, JobRunner],
  exports: [PointsLedger, PurchasesService, PointsExpiryJob],
})
export class PointsModule {}
