import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { MembersModule } from '../members/members.module';
import { MessagesModule } from '../messages/messages.module';
import { OrdersModule } from '../orders/orders.module';
import { PointsModule } from '../points/points.module';
import { FeedbackController, FeedbackMediaController } from './feedback.controller';
import { FeedbackReportService } from './feedback-report.service';
import { AdminPointsController, StaffFeedbackController } from './feedback-staff.controller';
import { FeedbackStaffService } from './feedback-staff.service';
import { FeedbackService } from './feedback.service';
import { GoodwillService } from './goodwill.service';
import { MemberDeletedFeedbackSubscriber } from './member-deleted.subscriber';
import { PointsAdjustmentsService } from './points-adjustments.service';
import { CouponGiftsService } from './coupon-gifts.service';

/**
 * Service recovery (投诉与反馈, issue 17 part 3) and admins' manual points adjustments. Owns its tables; calls
 * orders (is this the member's order), points (the ledger), coupons (the one issuer) and messages (the outbox).
 */
@Module({
  imports: [CouponsModule, PointsModule, OrdersModule, MessagesModule, MembersModule],
  controllers: [FeedbackController, FeedbackMediaController, StaffFeedbackController, AdminPointsController],
  providers: [
    FeedbackService,
    FeedbackStaffService,
    GoodwillService,
    FeedbackReportService,
    PointsAdjustmentsService,
    MemberDeletedFeedbackSubscriber,
    CouponGiftsService,
  ],
  exports: [FeedbackService, FeedbackStaffService, PointsAdjustmentsService, CouponGiftsService],
})
export class FeedbackModule {}
