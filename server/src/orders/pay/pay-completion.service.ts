import type { AppConfig } from '@member/config';
import { PayOrderStatus } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../../common/app-config';
import { Clock } from '../../common/clock';
import { couponsRepository } from '../../coupons/coupons.repository';
import { RedemptionService } from '../../coupons/redemption.service';
import { TransactionRunner } from '../../database/transaction-runner';
import { PointsLedger } from '../../points/points-ledger';
import { pointsRepository } from '../../points/points.repository';
import { SaleSettlement } from '../sale-settlement.service';
import { payOrderBurnKey, WECHAT_PAY_CHANNEL } from '../sale.entities';
import { PayOrder } from './pay-order.entity';
import { FINISHED_UNPAID, parseWechatTime } from './pay-rules';
import { WechatPayClient, type WechatTransaction } from './wechat-pay.client';

/**
 * How an app order ends. WeChat's notification — or a query when a notification is missed — completes it
 * exactly once: a conditional UPDATE from `pending` admits one completion, which settles the sale
 * (SaleSettlement: points, tier, SaleSettled) in the same transaction. Closing an unpaid order (expired or
 * cancelled) closes it at WeChat first, then gives the coupon and points back; a payment that does not match
 * the order is flagged and grants nothing.
 */
@Injectable()
export class PayCompletionService {
  private readonly logger = new Logger(PayCompletionService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly ledger: PointsLedger,
    private readonly redemptions: RedemptionService,
    private readonly settlement: SaleSettlement,
    private readonly wechatPay: WechatPayClient,
    private readonly clock: Clock,
  ) {}

  /** A verified TRANSACTION.SUCCESS notification (or a query's answer): completes the order once. */
  async applyTransaction(transaction: WechatTransaction): Promise<'completed' | 'duplicate' | 'flagged' | 'ignored' | 'unknown'> {
    const order = await this.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo: transaction.out_trade_no });
    if (!order) {
      this.logger.error({ outTradeNo: transaction.out_trade_no }, 'WeChat reported a payment for an order we do not know');
      return 'unknown';
    }
    if (transaction.trade_state !== 'SUCCESS') return 'ignored';
    const mismatch = this.mismatch(order, transaction);
    if (mismatch) {
      await this.flag(order, mismatch);
      return 'flagged';
    }
    const now = this.clock.now();
    const paidAt = parseWechatTime(transaction.success_time) ?? now;
    const outcome = await this.transactions.run(async (em) => {
      const taken = await em
        .createQueryBuilder()
        .update(PayOrder)
        .set({ status: PayOrderStatus.Paid, transactionId: transaction.transaction_id ?? null, paidAt })
        .where('id = :id AND status = :pending', { id: order.id, pending: PayOrderStatus.Pending })
        .execute();
      if (taken.affected !== 1) return 'duplicate' as const;
      const purchaseId = await this.settlement.settleWithin(em, {
        memberId: order.memberId,
        staffOpenid: WECHAT_PAY_CHANNEL,
        idempotencyKey: order.outTradeNo,
        storeCode: order.storeCode,
        grossFen: order.grossFen,
        // The order's recorded member price: the tier may have changed since the order was created.
        memberDiscountFen: order.memberDiscountFen,
        memberPricePermille: order.memberPricePermille,
        couponId: order.couponId,
        redemptionId: order.redemptionId,
        couponDiscountFen: order.couponDiscountFen,
        paidFen: order.payableFen,
        burn: { heldPoints: order.pointsBurned, sourceKey: payOrderBurnKey(order.outTradeNo) },
        now: paidAt,
      });
      await em.update(PayOrder, { id: order.id }, { purchaseId });
      return 'completed' as const;
    });
    if (outcome === 'completed') {
      this.logger.log({ outTradeNo: order.outTradeNo, transactionId: transaction.transaction_id }, 'pay order completed');
      return outcome;
    }
    // Paid at WeChat after we closed it (its close failed or raced): the money is taken but the holds were
    // given back, so nothing is granted and an admin refunds it.
    const current = await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: order.id });
    if (current.status === PayOrderStatus.Closed) {
      await this.dataSource.getRepository(PayOrder).update(
        { id: order.id, status: PayOrderStatus.Closed },
        {
          status: PayOrderStatus.Flagged,
          flagReason: 'paid after the order was closed',
          transactionId: transaction.transaction_id ?? null,
          paidAt,
        },
      );
      this.logger.error({ outTradeNo: order.outTradeNo }, 'payment arrived for a closed order: flagged for refund');
      return 'flagged';
    }
    return 'duplicate';
  }

  /**
   * Closes an unpaid order, deciding by what WeChat says, never by a guess: a 204, a repeated close or 400
   * ORDER_CLOSED close it here too (the holds go back); 202 USERPAYING leaves it pending (the member is paying:
   * closing here would flag the payment about to land); anything else (403 TRADE_ERROR, ORDERPAID) is settled
   * by a query's trade_state. Within `closeNotBeforeSeconds` of creation WeChat is not asked to close at all
   * (it advises against it): the query decides, and a NOTPAY order is closed here, its payment window
   * ending at WeChat with the order's time_expire. True when the order was closed here.
   */
  async close(order: PayOrder): Promise<boolean> {
    if (!order.prepayId) return this.closeLocally(order, this.clock.now());
    const young = this.clock.now().getTime() - order.createdAt.getTime() < this.config.payment.closeNotBeforeSeconds * 1000;
    if (!young) {
      const outcome = await this.wechatPay.closeOrder(order.outTradeNo);
      if (outcome === 'closed') return this.closeLocally(order, this.clock.now());
      if (outcome === 'paying') {
        this.logger.log({ outTradeNo: order.outTradeNo }, 'not closed: the member is paying (USERPAYING)');
        return false;
      }
    }
    const transaction = await this.wechatPay.queryOrder(order.outTradeNo);
    if (transaction?.trade_state === 'SUCCESS') {
      await this.applyTransaction(transaction);
      return false;
    }
    if (!transaction || FINISHED_UNPAID.has(transaction.trade_state) || (young && transaction.trade_state === 'NOTPAY'))
      return this.closeLocally(order, this.clock.now());
    // USERPAYING, or NOTPAY after a close WeChat would not do (TRADE_ERROR): still open; the job asks again.
    this.logger.log(
      { outTradeNo: order.outTradeNo, tradeState: transaction.trade_state },
      'not closed yet: WeChat still has the order open',
    );
    return false;
  }

  async closeLocally(order: PayOrder, now: Date): Promise<boolean> {
    const closed = await this.transactions.run(async (em) => {
      const taken = await em
        .createQueryBuilder()
        .update(PayOrder)
        .set({ status: PayOrderStatus.Closed, closedAt: now })
        .where('id = :id AND status = :pending', { id: order.id, pending: PayOrderStatus.Pending })
        .execute();
      if (taken.affected !== 1) return false;
      await this.releaseHolds(em, order, now);
      return true;
    });
    if (closed) this.logger.log({ outTradeNo: order.outTradeNo }, 'pay order closed; coupon and points released');
    return closed;
  }

  /** WeChat reported something that does not match the order: nothing is granted, the holds go back. */
  private async flag(order: PayOrder, reason: string): Promise<void> {
    const now = this.clock.now();
    await this.transactions.run(async (em) => {
      const taken = await em
        .createQueryBuilder()
        .update(PayOrder)
        .set({ status: PayOrderStatus.Flagged, flagReason: reason.slice(0, 200) })
        .where('id = :id AND status = :pending', { id: order.id, pending: PayOrderStatus.Pending })
        .execute();
      if (taken.affected === 1) await this.releaseHolds(em, order, now);
    });
    this.logger.error({ outTradeNo: order.outTradeNo, reason }, 'payment does not match the order: flagged, nothing granted');
  }

  /** Gives back what checkout held: the coupon (if still valid) and the points, with the expiry they had. */
  async releaseHolds(em: EntityManager, order: PayOrder, now: Date): Promise<void> {
    const fresh = await em.findOneByOrFail(PayOrder, { id: order.id });
    if (fresh.redemptionId) {
      const redemption = await couponsRepository.findRedemption(em, fresh.redemptionId);
      if (!redemption) throw new Error(`redemption ${fresh.redemptionId} of order ${fresh.outTradeNo} does not exist`);
      await this.redemptions.reverseWithin(em, redemption, now);
    }
    if (fresh.pointsBurned > 0) {
      const burnLine = await pointsRepository.findLine(em, payOrderBurnKey(fresh.outTradeNo));
      if (!burnLine) throw new Error(`the points order ${fresh.outTradeNo} held have no ledger line`);
      await this.ledger.restore(em, {
        memberId: fresh.memberId,
        points: fresh.pointsBurned,
        fromLine: burnLine,
        fallbackExpiresAt: burnLine.expiresAt ?? now,
        reason: 'restore',
        sourceKey: `payorder:${fresh.outTradeNo}:release`,
        now,
      });
    }
  }

  /** Null when WeChat's report matches the order; else why it does not. */
  private mismatch(order: PayOrder, transaction: WechatTransaction): string | null {
    if (transaction.appid !== this.config.wechat.appid) return `appid ${transaction.appid}`;
    if (transaction.mchid !== this.wechatPay.mchid) return `mchid ${transaction.mchid}`;
    if (transaction.amount?.total !== order.payableFen) return `amount ${transaction.amount?.total} fen, order ${order.payableFen}`;
    if ((transaction.amount?.currency ?? 'CNY') !== 'CNY') return `currency ${transaction.amount?.currency}`;
    if (transaction.payer?.openid && transaction.payer.openid !== order.openid) return 'payer is not the member';
    return null;
  }
}
