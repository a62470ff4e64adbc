import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor: events are keyed by their class
export type EventClass<E extends object> = new (...args: any[]) => E;

export type InTransactionHandler<E> = (event: E, em: EntityManager) => Promise<void>;
export type AfterCommitHandler<E> = (event: E) => Promise<void>;

interface Subscription {
  name: string;
  phase: 'in-transaction' | 'after-commit';
  handler: (event: object, em: EntityManager) => Promise<void>;
}

/**
 * A small typed bus for domain events with the two phases our data rules need.
 *
 * - **In-transaction** subscribers run inside the publisher's transaction, with its `em`, in the order they
 *   subscribed, before `publish` returns. Their writes commit with the event or not at all: a subscriber that
 *   throws rolls the whole transaction back (a points credit, a streak counter, a referral reward).
 * - **After-commit** subscribers run once that transaction has committed (never when it rolls back), before
 *   `TransactionRunner.run` answers its caller. They get no `em`: what they write goes in a transaction of
 *   their own. Their failure is logged and never undoes the event (messages, notifications, analytics).
 *
 * Why not @nestjs/event-emitter (EventEmitter2): it is a process-wide emitter with no notion of a transaction.
 * `emit` does not wait for async listeners and swallows their errors, so an in-transaction effect could
 * neither roll the sale back nor be sure to run before the commit; after-commit delivery would still have to
 * be built on the transaction runner, which is most of this file. Vendure's EventBus (which defers publishing
 * until its transaction commits) and Immich's event repository (typed events, handlers registered per
 * service) are the models: typed events keyed by class, explicit phases, one place that knows when a
 * transaction commits (TransactionRunner). Nothing here keeps state another instance needs: subscriptions
 * are code, registered at start-up in each instance; an event is delivered in the instance that published it.
 */
@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);
  private readonly subscriptions = new Map<EventClass<object>, Subscription[]>();

  constructor(private readonly transactions: TransactionRunner) {}

  /** Subscribes an effect that must commit with the event. Answers a function that unsubscribes it. */
  inTransaction<E extends object>(event: EventClass<E>, name: string, handler: InTransactionHandler<E>): () => void {
    return this.add(event, { name, phase: 'in-transaction', handler: handler as Subscription['handler'] });
  }

  /** Subscribes an effect that follows the event once it has committed. Answers a function that unsubscribes it. */
  afterCommit<E extends object>(event: EventClass<E>, name: string, handler: AfterCommitHandler<E>): () => void {
    return this.add(event, { name, phase: 'after-commit', handler: (e) => (handler as AfterCommitHandler<object>)(e) });
  }

  /**
   * Announces `event` from inside the transaction `em` (opened by TransactionRunner.run) that made it happen.
   * In-transaction subscribers run now (a throw propagates and rolls the transaction back); after-commit
   * subscribers are queued for the commit.
   */
  async publish(em: EntityManager, event: object): Promise<void> {
    const subscribers = this.subscriptions.get(event.constructor as EventClass<object>);
    if (!subscribers) return;
    for (const subscriber of subscribers) {
      if (subscriber.phase === 'in-transaction') await subscriber.handler(event, em);
    }
    for (const subscriber of subscribers) {
      if (subscriber.phase !== 'after-commit') continue;
      await this.transactions.afterCommit(em, async () => {
        try {
          await subscriber.handler(event, em);
        } catch (error) {
          this.logger.error(
            { err: error, event: event.constructor.name, subscriber: subscriber.name },
            'after-commit subscriber failed; the event stands',
          );
        }
      });
    }
  }

  private add(event: EventClass<object>, subscription: Subscription): () => void {
    const list = this.subscriptions.get(event) ?? [];
    if (list.some((s) => s.name === subscription.name))
      throw new Error(`${event.name} already has a subscriber named ${subscription.name}`);
    this.subscriptions.set(event, [...list, subscription]);
    return () => {
      const current = this.subscriptions.get(event) ?? [];
      this.subscriptions.set(
        event,
        current.filter((s) => s !== subscription),
      );
    };
  }
}
