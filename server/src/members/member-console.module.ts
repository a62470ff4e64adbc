import type { AppConfig } from '@member/config';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../common/app-config';
import { CouponsModule } from '../coupons/coupons.module';
import { FeedbackModule } from '../feedback/feedback.module';
import { OrdersModule } from '../orders/orders.module';
import { PointsModule } from '../points/points.module';
import { MemberConsoleController } from './member-console.controller';
import { MemberConsoleService } from './member-console.service';
import { MemberSearchService } from './member-search.service';
import { PhoneVault } from './phone-vault';

/**
 * The console's member pages. A module of its own, above the others: it reads through orders, points, coupons,
 * feedback and the audit log and acts through feedback's adjustment and gift services, which themselves use
 * MembersModule, so it cannot live inside MembersModule (that would be a cycle). It writes no table.
 */
@Module({
  imports: [CouponsModule, PointsModule, OrdersModule, FeedbackModule],
  controllers: [MemberConsoleController],
  providers: [
    MemberSearchService,
    MemberConsoleService,
    { provide: PhoneVault, useFactory: (config: AppConfig) => new PhoneVault(config.security.phoneEncryptionKey), inject: [APP_CONFIG] },
  ],
})
export class MemberConsoleModule {}
