import { formatFen, MessageKind } from '@member/shared';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainEvents } from '../events/domain-event-bus';
import { PurchaseRewarded, SaleSettled } from '../events/domain-events';
import { businessDate } from '../common/clock';
import { InjectConfig } from '../common/app-config';
import type { AppConfig } from '@member/config';
import { reachableMembers } from './message-reach';
import { MessagesService } from './messages.service';
import { DataSource } from 'typeorm';

/**
 * The messages a sale leads to, subscribed rather than called: settlement announces SaleSettled and knows
 * nothing of messages. After commit: a sale that rolled back sends nothing, and a failure here (the outbox
 * unreachable) never undoes a sale. Its own short transaction writes the outbox row the sender sends; a crash
 * between the sale's commit and this write loses the message, never duplicates it (messages are at-most-once).
 */
@Injectable()
export class SaleMessagesSubscriber implements OnModuleInit {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly events: DomainEvents,
    private readonly transactions: TransactionRunner,
    private readonly messages: MessagesService,
  ) {}

  onModuleInit(): void {
    this.events.afterCommit(SaleSettled, 'messages.points-earned', (sale) => this.pointsEarned(sale));
    this.events.afterCommit(PurchaseRewarded, 'messages.purchase-reward', (reward) => this.rewarded(reward));
  }

  /**
   * A rule fired on the purchase (支付有礼): "coupon arrived" for its coupons and "points changed" for its points,
   * each only to a member who subscribed (a grant is waiting); quiet hours and caps as for every message.
   */
  private async rewarded(reward: PurchaseRewarded): Promise<void> {
    // Most members asked for neither: one plain read says so, without a transaction per reward (a sale can fire
    // several rules, and this runs before the sale's caller gets its answer).
    const kinds = [
      ...(reward.couponCount > 0 ? [MessageKind.CouponArrived] : []),
      ...(reward.points > 0 ? [MessageKind.PointsChange] : []),
    ];
    const reach = await Promise.all(
      kinds.map((kind) =>
        reachableMembers(this.dataSource.manager, { templateId: this.config.messages.templates[kind].templateId, kind }, [reward.memberId]),
      ),
    );
    if (reach.every((members) => members.length === 0)) return;
    await this.transactions.run(async (em) => {
      if (reward.couponCount > 0 && reward.couponName && reward.couponValidUntil)
        await this.messages.queueIfReachable(em, {
          memberId: reward.memberId,
          kind: MessageKind.CouponArrived,
          vars: {
            couponName: reward.couponCount > 1 ? `${reward.couponName}×${reward.couponCount}` : reward.couponName,
            expiresOn: businessDate(reward.couponValidUntil, this.config.businessCalendar.timeZone),
          },
          dedupeKey: `reward:${reward.grantId}:coupon`,
        });
      if (reward.points > 0 && reward.balanceAfter !== null)
        await this.messages.queueIfReachable(em, {
          memberId: reward.memberId,
          kind: MessageKind.PointsChange,
          vars: { delta: reward.points, balance: reward.balanceAfter, reason: `${reward.ruleName}奖励积分`.slice(0, 20) },
          dedupeKey: `points:reward:${reward.grantId}`,
        });
    });
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
