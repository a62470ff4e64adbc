import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { PointsModule } from '../points/points.module';
import { PayReconcileJob } from './pay/pay-reconcile.job';
import { PayController, PayNotifyController, StaffPayController } from './pay/payments.controller';
import { PayCheckoutService } from './pay/pay-checkout.service';
import { PayCompletionService } from './pay/pay-completion.service';
import { PayReconciliation } from './pay/pay-reconcile.service';
import { PayRefundsService } from './pay/pay-refunds.service';
import { PayRules } from './pay/pay-rules';
import { PayUnpaidOrders } from './pay/pay-unpaid.service';
import { PayViews } from './pay/pay-views.service';
import { MyOrdersController } from './my-orders.controller';
import { MyOrdersService } from './my-orders.service';
import { WechatPayClient } from './pay/wechat-pay.client';
import { StaffPurchasesController } from './purchases.controller';
import { PurchasesService } from './purchases.service';
import { SaleRefunds } from './sale-refunds.service';
import { SaleSettlement } from './sale-settlement.service';
import { StaffSalesController } from './sales.controller';
import { SalesService } from './sales.service';

/**
 * Sales: recorded at the till or paid in the app with WeChat Pay, one sale model, one settlement and one refund
 * ceiling for both. Calls points and coupons; what a sale means for anyone else is announced as SaleSettled /
 * SaleRefunded (server/src/events), never called from here.
 */
@Module({
  imports: [CouponsModule, PointsModule],
  controllers: [StaffPurchasesController, StaffSalesController, PayController, StaffPayController, PayNotifyController, MyOrdersController],
  providers: [
    SaleSettlement,
    SaleRefunds,
    PurchasesService,
    SalesService,
    WechatPayClient,
    PayRules,
    PayViews,
    PayCompletionService,
    PayRefundsService,
    PayCheckoutService,
    PayUnpaidOrders,
    MyOrdersService,
    PayReconciliation,
    PayReconcileJob,
  ],
  exports: [SaleSettlement, PurchasesService, PayReconcileJob, MyOrdersService],
})
export class OrdersModule {}
