import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { PointsModule } from '../points/points.module';
import { PurchaseRuleFiring } from './purchase-rule-firing';
import { PurchaseRuleReports } from './purchase-rule-report';
import { PurchaseRulesController } from './purchase-rules.controller';
import { PurchaseRulesService } from './purchase-rules.service';
import { RewardTakeBack } from './reward-take-back';

/**
 * Rewards fired by a purchase (营销规则 / 支付有礼). Listens to orders (SaleSettled, SaleRefunded) and never calls
 * it; orders reads what a purchase earned through purchaseRulesRepository (a plain read, no module import), so
 * neither module imports the other. Coupons through the coupon issuer, points through the ledger.
 */
@Module({
  imports: [CouponsModule, PointsModule],
  controllers: [PurchaseRulesController],
  providers: [PurchaseRulesService, PurchaseRuleReports, PurchaseRuleFiring, RewardTakeBack],
  exports: [PurchaseRuleFiring],
})
export class PurchaseRulesModule {}
