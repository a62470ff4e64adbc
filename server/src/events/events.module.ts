import { Global, Module } from '@nestjs/common';
import { DomainEvents } from './domain-event-bus';

/** The domain event bus, available to every module: owners publish, capabilities subscribe (see DomainEvents). */
@Global()
@Module({
  providers: [DomainEvents],
  exports: [DomainEvents],
})
export class EventsModule {}
