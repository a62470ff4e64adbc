import { Module } from '@nestjs/common';
import { JobRunner } from '../jobs/job-runner';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { OutboxSender } from './outbox-sender';

@Module({
  controllers: [MessagesController],
  providers: [MessagesService, OutboxSender, JobRunner],
  exports: [MessagesService, OutboxSender],
})
export class MessagesModule {}
