import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthCoreModule } from './auth/auth-core.module';
import { AuthModule } from './auth/auth.module';
import { AuditModule } from './audit/audit.module';
import { ThrottleModule } from './throttle/throttle.module';
import { BirthdayModule } from './birthday/birthday.module';
import { ApiErrorFilter } from './common/error.filter';
import { CoreModule, type CoreOptions } from './core.module';
import { EventsModule } from './events/events.module';
import { ConsoleLoginModule } from './console-login/console-login.module';
import { FeedbackModule } from './feedback/feedback.module';
import { DataTransferModule } from './data-transfer/data-transfer.module';
import { HealthController } from './health/health.controller';
import { JobsModule } from './jobs/jobs.module';
import { MembersModule } from './members/members.module';
import { MemberConsoleModule } from './members/member-console.module';
import { MembershipModule } from './membership/membership.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { MessagesModule } from './messages/messages.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrdersModule } from './orders/orders.module';
import { PointsModule } from './points/points.module';
import { PurchaseRulesModule } from './purchase-rules/purchase-rules.module';
import { SegmentsModule } from './segments/segments.module';
import { TestModeModule } from './test-mode/test-mode.module';
import { SettingsModule } from './settings/settings.module';
import { StaffAdminModule } from './staff-admin/staff-admin.module';

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        // Runs every job declared with @ScheduledJob in the modules below (timers, periods, shutdown).
        JobsModule,
        EventsModule,
        ThrottleModule,
        AuditModule,
        AuthCoreModule,
        SettingsModule,
        MembersModule,
        PointsModule,
        BirthdayModule,
        MembershipModule,
        OrdersModule,
        PurchaseRulesModule,
        MessagesModule,
        SegmentsModule,
        CampaignsModule,
        FeedbackModule,
        MetricsModule,
        DataTransferModule,
        ConsoleLoginModule,
        StaffAdminModule,
        MemberConsoleModule,
        AuthModule,
        // The test clock and on-demand jobs exist only in test mode: in any other mode /api/test/* is a 404.
        ...(options.config.env === 'test' ? [TestModeModule] : []),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }],
    };
  }
}
