import { formatFen, MessageKind } from '@member/shared';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainEvents } from '../events/domain-event-bus';
import { SaleSettled } from '../events/domain-events';
import { MessagesService } from './messages.service';

/**
 * The messages a sale leads to, subscribed rather than called: settlement announces SaleSettled and knows
 * nothing of messages. After commit: a sale that rolled back sends nothing, and a failure here (the outbox
 * unreachable) never undoes a sale. Its own short transaction writes the outbox row the sender sends; a crash
 * between the sale's commit and this write loses the message, never duplicates it (messages are at-most-once).
 */
@Injectable()
export class SaleMessagesSubscriber implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly transactions: TransactionRunner,
    private readonly messages: MessagesService,
  ) {}

  onModuleInit(): void {
    this.events.afterCommit(SaleSettled, 'messages.points-earned', (sale) => this.pointsEarned(sale));
  }

  /** "You earned n points": only for members who asked for points-change messages (a grant is waiting). */
  private async pointsEarned(sale: SaleSettled): Promise<void> {
    if (sale.balanceAfterEarn === null) return;
    const balance = sale.balanceAfterEarn;
    await this.transactions.run((em) =>
      this.messages.queueIfReachable(em, {
        memberId: sale.memberId,
        kind: MessageKind.PointsChange,
        vars: { delta: sale.pointsEarned, balance, reason: `消费${formatFen(sale.paidFen, { keepCents: true })}获得积分` },
        dedupeKey: `points:purchase:${sale.purchaseId}`,
      }),
    );
  }
}
