import { Module } from '@nestjs/common';
import { MessagesController } from './messages.controller';
import { MemberDeletedMessagesSubscriber } from './member-deleted.subscriber';
import { MessagesService } from './messages.service';
import { OutboxSender } from './outbox-sender';
import { SaleMessagesSubscriber } from './sale-messages.subscriber';

@Module({
  controllers: [MessagesController],
  providers: [MessagesService, OutboxSender, SaleMessagesSubscriber, MemberDeletedMessagesSubscriber],
  exports: [MessagesService, OutboxSender],
})
export class MessagesModule {}
