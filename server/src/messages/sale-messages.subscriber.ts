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
/** How long the reward messages' reach, read for one purchase, serves its other rewards. */
const REWARD_REACH_MEMO_MS = 5_000;

@Injectable()
export class SaleMessagesSubscriber implements OnModuleInit {
  private readonly rewardReach = new Map<number, Promise<Set<MessageKind>>>();

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
    const reachable = await this.reachableForRewards(reward);
    const wanted =
      (reward.couponCount > 0 && reachable.has(MessageKind.CouponArrived)) ||
      (reward.points > 0 && reachable.has(MessageKind.PointsChange));
    if (!wanted) return;
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

  /**
   * Which of the two reward messages the member can get: read once per purchase, since the rewards of one sale
   * arrive one after another right after its commit (a sale can fire several rules). A pre-check only: queueing
   * checks again in its own transaction, so a grant that arrives meanwhile is at worst missed by one reward.
   */
  private reachableForRewards(reward: PurchaseRewarded): Promise<Set<MessageKind>> {
    let reach = this.rewardReach.get(reward.purchaseId);
    if (!reach) {
      const kinds = [MessageKind.CouponArrived, MessageKind.PointsChange];
      reach = Promise.all(
        kinds.map((kind) =>
          reachableMembers(this.dataSource.manager, { templateId: this.config.messages.templates[kind].templateId, kind }, [
            reward.memberId,
          ]),
        ),
      ).then((members) => new Set(kinds.filter((_, i) => members[i].length > 0)));
      this.rewardReach.set(reward.purchaseId, reach);
      // Forgotten soon: only the rewards of the same commit share it.
      setTimeout(() => this.rewardReach.delete(reward.purchaseId), REWARD_REACH_MEMO_MS).unref();
    }
    return reach;
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
