import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { PointsController, PointsShopController } from './points.controller';
import { PointsShopService } from './points-shop.service';
import { PointsExpiryJob } from './points-expiry.job';
import { PointsHistoryService } from './points-history.service';
import { PointsLedger } from './points-ledger';

@Module({
  imports: [CouponsModule],
  controllers: [PointsController, PointsShopController],
  providers: [PointsLedger, PointsHistoryService, PointsShopService, PointsExpiryJob],
  exports: [PointsLedger, PointsExpiryJob, PointsHistoryService],
})
export class PointsModule {}
