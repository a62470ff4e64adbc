import type { AppConfig } from '@member/config';
import { PayOrderStatus, PayRefundStatus } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { InjectConfig } from '../../common/app-config';
import { Clock } from '../../common/clock';
import { PayCompletionService } from './pay-completion.service';
import { PayOrder, PayRefund } from './pay-order.entity';
import { PayRefundsService } from './pay-refunds.service';
import { FINISHED_UNPAID, PREPAY_LOST_AFTER_MS } from './pay-rules';
import { WechatPayClient } from './wechat-pay.client';

const RECONCILE_BATCH = 100;

/** What notifications missed, recovered by asking WeChat (run by PayReconcileJob). */
@Injectable()
export class PayReconciliation {
  private readonly logger = new Logger(PayReconciliation.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly completion: PayCompletionService,
    private readonly refunds: PayRefundsService,
    private readonly wechatPay: WechatPayClient,
    private readonly clock: Clock,
  ) {}

  /**
   * The safety net for missed notifications: pending orders older than `queryAfterSeconds` are looked up at
   * WeChat (completed if paid, closed if expired), and so are refunds still processing.
   */
  async reconcile(): Promise<{ completed: number; closed: number; refundsSettled: number }> {
    const now = this.clock.now();
    const queryBefore = new Date(now.getTime() - this.config.payment.queryAfterSeconds * 1000);
    const result = { completed: 0, closed: 0, refundsSettled: 0 };
    const pending = await this.dataSource.getRepository(PayOrder).find({
      where: { status: PayOrderStatus.Pending, createdAt: LessThan(queryBefore) },
      order: { createdAt: 'ASC' },
      take: RECONCILE_BATCH,
    });
    for (const order of pending) {
      try {
        if (!order.prepayId) {
          if (now.getTime() - order.createdAt.getTime() > PREPAY_LOST_AFTER_MS && (await this.completion.close(order))) result.closed++;
          continue;
        }
        const transaction = await this.wechatPay.queryOrder(order.outTradeNo);
        if (transaction?.trade_state === 'SUCCESS') {
          if ((await this.completion.applyTransaction(transaction)) === 'completed') result.completed++;
        } else if (!transaction || FINISHED_UNPAID.has(transaction.trade_state)) {
          // WeChat has nothing payable under this number: the holds go back without a close call.
          if (await this.completion.closeLocally(order, now)) result.closed++;
        } else if (now >= order.expiresAt && transaction.trade_state === 'NOTPAY') {
          // USERPAYING is left alone: the member is paying right now; the next run looks again.
          if (await this.completion.close(order)) result.closed++;
        }
      } catch (error) {
        this.logger.warn({ err: error, outTradeNo: order.outTradeNo }, 'reconciling an order failed; next run retries');
      }
    }
    const refunds = await this.dataSource.getRepository(PayRefund).find({
      where: { status: PayRefundStatus.Processing, createdAt: LessThan(queryBefore) },
      order: { createdAt: 'ASC' },
      take: RECONCILE_BATCH,
    });
    for (const refund of refunds) {
      try {
        const wechat = await this.wechatPay.queryRefund(refund.outRefundNo);
        if (!wechat) {
          // WeChat never got it (we timed out before it answered): ask again, same number, refunded once.
          const order = await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: refund.payOrderId });
          await this.refunds.askWechatToRefund(order, refund);
        } else if ((await this.refunds.applyRefund(wechat)) === 'succeeded') {
          result.refundsSettled++;
        }
      } catch (error) {
        this.logger.warn({ err: error, outRefundNo: refund.outRefundNo }, 'reconciling a refund failed; next run retries');
      }
    }
    return result;
  }
}
