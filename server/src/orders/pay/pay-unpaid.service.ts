import { PayOrderStatus, type CreatePayOrderResponse, type PendingPayOrderResponse } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, MoreThan } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { PayCompletionService } from './pay-completion.service';
import { PayOrder } from './pay-order.entity';
import { PayRules, PREPAY_RENEW_MARGIN_MS, PREPAY_TTL_MS } from './pay-rules';
import { PayViews } from './pay-views.service';
import { WechatPayApiError, WechatPayClient } from './wechat-pay.client';

/**
 * The member's unpaid order, found again after a reload (首页's banner, 我的订单) and paid later: resuming reuses
 * the order's prepay_id while WeChat keeps it (2 h), else asks WeChat again for the same order with the same
 * parameters. Cancelling is PayCheckoutService.cancel (closing is PayCompletionService's, exactly once).
 */
@Injectable()
export class PayUnpaidOrders {
  private readonly logger = new Logger(PayUnpaidOrders.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly completion: PayCompletionService,
    private readonly wechatPay: WechatPayClient,
    private readonly rules: PayRules,
    private readonly views: PayViews,
    private readonly clock: Clock,
  ) {}

  /** The newest pending order still inside its payment window (idx_pay_order_member), or null. */
  async pending(memberId: number): Promise<PendingPayOrderResponse> {
    const order = await this.dataSource.getRepository(PayOrder).findOne({
      where: { memberId, status: PayOrderStatus.Pending, expiresAt: MoreThan(this.clock.now()) },
      order: { id: 'DESC' },
    });
    return { order: order ? await this.views.view(order) : null };
  }

  /**
   * Fresh `wx.requestPayment` parameters for the member's pending order. An order no longer pending answers as it
   * stands (paid: the app shows the result; closed: no payment); one past its window is closed (holds back now).
   */
  async resume(memberId: number, outTradeNo: string): Promise<CreatePayOrderResponse> {
    let order = await this.views.memberOrder(memberId, outTradeNo);
    if (order.status !== PayOrderStatus.Pending) return this.views.answer(order);
    const now = this.clock.now();
    if (now >= order.expiresAt) {
      await this.completion.close(order).catch((error) => this.logger.warn({ err: error, outTradeNo }, 'closing an expired order failed'));
      return this.views.answer(await this.views.memberOrder(memberId, outTradeNo));
    }
    // Its first prepay is still being asked (the checkout is in flight) or was lost: the job closes a lost one.
    if (!order.prepayId) throw new DomainError('PAY_UNAVAILABLE');
    const issuedAt = (order.prepayAt ?? order.createdAt).getTime();
    if (now.getTime() - issuedAt >= PREPAY_TTL_MS - PREPAY_RENEW_MARGIN_MS) order = await this.renewPrepay(order);
    return this.views.answer(order);
  }

  private async renewPrepay(order: PayOrder): Promise<PayOrder> {
    let prepayId: string;
    try {
      prepayId = (await this.wechatPay.prepay(this.rules.prepayRequest(order))).prepayId;
    } catch (error) {
      if (error instanceof WechatPayApiError && error.code === 'ORDER_CLOSED') {
        // Closed at WeChat (by the job on another instance, say): close it here too, the holds go back once.
        await this.completion.closeLocally(order, this.clock.now());
        throw new DomainError('PAY_ORDER_CLOSED');
      }
      if (error instanceof WechatPayApiError && error.code === 'ORDERPAID') return order; // the notification settles it
      throw new DomainError('PAY_UNAVAILABLE', undefined, { reason: (error as Error).message });
    }
    await this.dataSource
      .getRepository(PayOrder)
      .update({ id: order.id, status: PayOrderStatus.Pending }, { prepayId, prepayAt: this.clock.now() });
    this.logger.log({ outTradeNo: order.outTradeNo }, 'prepay renewed for a resumed order');
    return this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: order.id });
  }
}
