import { Controller, Get, Module, Post, UseGuards, type Type } from '@nestjs/common';
import { AppModule } from '../app.module';
import { MemberAuthGuard, StaffGuard } from '../auth/auth.guards';
import { CampaignsController } from '../campaigns/campaigns.controller';
import { ManualClock } from '../common/clock';
import { AdminCouponTemplatesController, StaffCouponsController } from '../coupons/staff-coupons.controller';
import { CouponsController } from '../coupons/coupons.controller';
import { StaffMembersController } from '../members/staff-members.controller';
import { PayController, PayNotifyController, StaffPayController } from '../orders/pay/payments.controller';
import { StaffPurchasesController } from '../orders/purchases.controller';
import { AdminAudiencesController, AdminSegmentsController } from '../segments/segments.controller';
import { testConfig } from '../testing/test-app';
import { AuditController } from './audit.controller';
import { auditStaffRoutes, isAuditedHandler } from './audit-routes';

/** The route handlers of a controller class. */
const handlersOf = (controller: Type): object[] =>
  Object.getOwnPropertyNames(controller.prototype)
    .filter((name) => name !== 'constructor')
    .map((name) => (controller.prototype as Record<string, object>)[name])
    .filter((handler) => typeof handler === 'function' && Reflect.getMetadata('path', handler) !== undefined);

describe('the audit goes onto the staff routes only', () => {
  it('finds the staff routes of the real application, and leaves the members\u2019 and WeChat\u2019s routes bare', () => {
    auditStaffRoutes(AppModule.forRoot({ config: testConfig(), clock: new ManualClock(new Date('2026-11-23T02:00:00Z')) }));
    const staff = [
      StaffCouponsController,
      AdminCouponTemplatesController,
      StaffPayController,
      StaffPurchasesController,
      AdminAudiencesController,
      AdminSegmentsController,
      AuditController,
      StaffMembersController,
      CampaignsController,
    ];
    for (const controller of staff) {
      expect(handlersOf(controller).length).toBeGreaterThan(0);
      for (const handler of handlersOf(controller)) expect([controller.name, isAuditedHandler(handler)]).toEqual([controller.name, true]);
    }
    for (const controller of [CouponsController, PayController, PayNotifyController]) {
      for (const handler of handlersOf(controller)) expect([controller.name, isAuditedHandler(handler)]).toEqual([controller.name, false]);
    }
  });

  it('follows the guards of the class and of each method, through imported modules, once', () => {
    class ClerkGuard extends StaffGuard {}
    @Controller('mixed')
    @UseGuards(MemberAuthGuard)
    class MixedController {
      @Get('mine')
      mine() {}
      @Post('till')
      @UseGuards(StaffGuard)
      till() {}
      @Post('derived')
      @UseGuards(ClerkGuard)
      derived() {}
      helper() {}
    }
    @Controller('staff-only')
    @UseGuards(StaffGuard)
    class StaffOnlyController {
      @Get('list')
      list() {}
    }
    @Module({ controllers: [StaffOnlyController] })
    class InnerModule {}
    @Module({})
    class RootModule {}
    const root = { module: RootModule, imports: [InnerModule], controllers: [MixedController] };
    expect(auditStaffRoutes(root)).toBe(3);
    const proto = MixedController.prototype;
    expect([proto.mine, proto.till, proto.derived, proto.helper].map(isAuditedHandler)).toEqual([false, true, true, false]);
    expect(isAuditedHandler(StaffOnlyController.prototype.list)).toBe(true);
    auditStaffRoutes(root);
    expect(Reflect.getMetadata('__interceptors__', proto.till)).toHaveLength(1);
  });
});
