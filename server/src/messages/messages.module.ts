import { Module } from '@nestjs/common';
import { CouponReminderJob } from './coupon-reminder.job';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { OutboxSender } from './outbox-sender';
import { SaleMessagesSubscriber } from './sale-messages.subscriber';

@Module({
  controllers: [MessagesController],
  providers: [MessagesService, OutboxSender, SaleMessagesSubscriber, CouponReminderJob],
  exports: [MessagesService, OutboxSender, CouponReminderJob],
})
export class MessagesModule {}
