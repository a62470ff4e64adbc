import { checkRefund, PayOrderStatus, PayRefundStatus, type CreatePayRefundRequest, type PayOrderView } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { SaleRefunds } from '../sale-refunds.service';
import { PayOrder, PayRefund } from './pay-order.entity';
import { parseWechatTime, PayRules } from './pay-rules';
import { PayViews } from './pay-views.service';
import { cutUtf8, WechatPayApiError, WechatPayClient, WechatPayUnavailableError, type WechatRefund } from './wechat-pay.client';

/** WeChat's answers that mean "not now" for a refund: it is kept processing and asked again with the same number. */
const REFUND_LATER_CODES = new Set(['NOT_ENOUGH', 'FREQUENCY_LIMITED', 'RATELIMIT_EXCEEDED', 'SYSTEM_ERROR']);

/**
 * Refunds of app orders: asked of WeChat under our own out_refund_no, admitted only while refunds asked for
 * stay within what was paid (refund_committed_fen), and applied to the sale (SaleRefunds, the one refund
 * ceiling) when WeChat confirms them. A confirmation that conflicts with our state is flagged for a person.
 */
@Injectable()
export class PayRefundsService {
  private readonly logger = new Logger(PayRefundsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly saleRefunds: SaleRefunds,
    private readonly wechatPay: WechatPayClient,
    private readonly views: PayViews,
    private readonly rules: PayRules,
    private readonly clock: Clock,
  ) {}

  /**
   * Clerk/admin: refund all or part of a paid order. The same out_refund_no again is the same refund: answered
   * as it stands, asked of WeChat again if WeChat never confirmed it, and re-admitted if it had failed — WeChat
   * wants a failed or interrupted refund retried with its own number, never a new one.
   */
  async refund(outTradeNo: string, request: CreatePayRefundRequest, staffOpenid: string): Promise<PayOrderView> {
    const order = await this.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo });
    if (!order) throw new DomainError('PAY_ORDER_NOT_FOUND');
    const earlier = await this.dataSource.getRepository(PayRefund).findOneBy({ outRefundNo: request.outRefundNo });
    if (earlier) {
      if (earlier.payOrderId !== order.id || earlier.amountFen !== request.amountFen) throw new DomainError('PAY_REFUND_NO_REUSED');
      if (earlier.status === PayRefundStatus.Failed) {
        this.rules.requireConfigured();
        if (await this.readmitRefund(earlier)) await this.askWechatToRefund(order, earlier);
      } else if (earlier.status === PayRefundStatus.Processing && earlier.refundId === null) {
        this.rules.requireConfigured();
        await this.askWechatToRefund(order, earlier);
      }
      return this.views.view(await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: order.id }));
    }
    if (!refundable(order)) throw new DomainError('PAY_ORDER_NOT_PAID');
    const invalid = checkRefund(order.payableFen, 0, request.amountFen);
    if (invalid) throw new DomainError(invalid);
    this.rules.requireConfigured();

    const now = this.clock.now();
    let refund: PayRefund;
    try {
      refund = await this.transactions.run(async (em) => {
        // Concurrent refunds: admitted only while asked-for refunds stay within what was paid.
        const taken = await em
          .createQueryBuilder()
          .update(PayOrder)
          .set({ refundCommittedFen: () => 'refund_committed_fen + :amount' })
          .where('id = :id AND status IN (:...refundable) AND refund_committed_fen + :amount <= payable_fen', {
            id: order.id,
            refundable: [PayOrderStatus.Paid, PayOrderStatus.Flagged],
            amount: request.amountFen,
          })
          .execute();
        if (taken.affected !== 1) throw new DomainError('REFUND_EXCEEDS_PAID');
        const row = em.create(PayRefund, {
          payOrderId: order.id,
          outRefundNo: request.outRefundNo,
          amountFen: request.amountFen,
          status: PayRefundStatus.Processing,
          // Kept as WeChat gets it: at most 80 UTF-8 bytes, cut between characters.
          reason: request.reason === undefined ? null : cutUtf8(request.reason, 80),
          staffOpenid,
          createdAt: now,
        });
        await em.insert(PayRefund, row);
        return row;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return this.refund(outTradeNo, request, staffOpenid);
      throw error;
    }
    await this.askWechatToRefund(order, refund);
    return this.views.view(await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: order.id }));
  }

  /** A verified refund notification (or a refund query's answer). */
  async applyRefund(wechat: WechatRefund): Promise<'succeeded' | 'flagged' | 'failed' | 'pending' | 'duplicate' | 'unknown'> {
    const refund = await this.dataSource.getRepository(PayRefund).findOneBy({ outRefundNo: wechat.out_refund_no });
    if (!refund) {
      this.logger.error({ outRefundNo: wechat.out_refund_no }, 'WeChat reported a refund we do not know');
      return 'unknown';
    }
    const status = wechat.refund_status ?? wechat.status;
    if (status === 'SUCCESS') return this.settleRefund(refund, wechat);
    if (status === 'CLOSED') return (await this.failRefund(refund, 'WeChat closed the refund')) ? 'failed' : 'duplicate';
    // PROCESSING, and ABNORMAL (not final: the money could not reach the payer's account; WeChat or an
    // admin resolves it), leave it processing.
    if (status === 'ABNORMAL') this.logger.warn({ outRefundNo: refund.outRefundNo }, 'refund ABNORMAL at WeChat');
    return 'pending';
  }

  /**
   * Asks WeChat for the refund, always under its own out_refund_no. What WeChat refuses for good (PARAM_ERROR,
   * INVALID_REQUEST…) fails it and gives the amount back to the order; what means "not now" — no answer, 5xx,
   * 429/FREQUENCY_LIMITED (refunds of one order are a minute apart), NOT_ENOUGH (the merchant's balance is low)
   * — keeps it processing for the reconcile job to ask again with the same number.
   */
  async askWechatToRefund(order: PayOrder, refund: PayRefund): Promise<void> {
    try {
      const wechat = await this.wechatPay.refund({
        outTradeNo: order.outTradeNo,
        outRefundNo: refund.outRefundNo,
        refundFen: refund.amountFen,
        totalFen: order.payableFen,
        reason: refund.reason ?? undefined,
      });
      if (wechat.refund_id)
        await this.dataSource.getRepository(PayRefund).update({ id: refund.id }, { refundId: wechat.refund_id, failure: null });
      if (wechat.status === 'SUCCESS' || wechat.status === 'CLOSED') await this.applyRefund(wechat);
    } catch (error) {
      if (error instanceof WechatPayApiError && REFUND_LATER_CODES.has(error.code)) {
        await this.dataSource
          .getRepository(PayRefund)
          .update({ id: refund.id, status: PayRefundStatus.Processing }, { failure: `${error.code}: retrying`.slice(0, 200) });
        this.logger.warn(
          { outRefundNo: refund.outRefundNo, code: error.code },
          'WeChat cannot refund now; will retry with the same number',
        );
        if (error.code === 'NOT_ENOUGH') throw new DomainError('PAY_REFUND_BALANCE_LOW', undefined, { reason: error.message });
        return;
      }
      if (error instanceof WechatPayApiError) {
        await this.failRefund(refund, `${error.code}: ${error.detail}`);
        throw new DomainError(error.code === 'PARAM_ERROR' ? 'PAY_PARAMS_REJECTED' : 'PAY_UNAVAILABLE', undefined, {
          reason: error.message,
        });
      }
      // No answer, or "later" (5xx, 429): WeChat may or may not have it. It stays processing; the job asks again with the same number.
      if (error instanceof WechatPayUnavailableError) {
        this.logger.warn({ err: error, outRefundNo: refund.outRefundNo }, 'refund request got no answer; will retry');
        return;
      }
      throw error;
    }
  }

  /** A failed refund asked for again (same number): admitted again only while refunds stay within what was paid. */
  private async readmitRefund(refund: PayRefund): Promise<boolean> {
    return this.transactions.run(async (em) => {
      const reopened = await em
        .createQueryBuilder()
        .update(PayRefund)
        .set({ status: PayRefundStatus.Processing, failure: null })
        .where('id = :id AND status = :failed', { id: refund.id, failed: PayRefundStatus.Failed })
        .execute();
      if (reopened.affected !== 1) return false; // another retry got there first
      const taken = await em
        .createQueryBuilder()
        .update(PayOrder)
        .set({ refundCommittedFen: () => 'refund_committed_fen + :amount' })
        .where('id = :id AND status = :paid AND refund_committed_fen + :amount <= payable_fen', {
          id: refund.payOrderId,
          paid: PayOrderStatus.Paid,
          amount: refund.amountFen,
        })
        .execute();
      if (taken.affected !== 1) throw new DomainError('REFUND_EXCEEDS_PAID');
      refund.status = PayRefundStatus.Processing;
      return true;
    });
  }

  /**
   * WeChat confirmed the refund: its points and coupon effects apply, once. A confirmation that conflicts with
   * our state — another amount than asked, a refund we had failed, effects the sale refuses (it would exceed
   * what was paid) — cannot be undone at WeChat and must not be answered 500 for ever: the refund is recorded
   * as `flagged` with the reason, nothing is applied, and a person resolves it (the staff order view shows it).
   */
  private async settleRefund(refund: PayRefund, wechat: WechatRefund): Promise<'succeeded' | 'flagged' | 'duplicate'> {
    if (wechat.amount?.refund !== undefined && wechat.amount.refund !== refund.amountFen) {
      return this.flagRefund(refund, wechat, `WeChat refunded ${wechat.amount.refund} fen, asked ${refund.amountFen}`);
    }
    const now = this.clock.now();
    let settled: 'succeeded' | 'not-processing';
    try {
      settled = await this.transactions.run(async (em) => {
        const taken = await em
          .createQueryBuilder()
          .update(PayRefund)
          .set({
            status: PayRefundStatus.Succeeded,
            succeededAt: parseWechatTime(wechat.success_time) ?? now,
            refundId: wechat.refund_id ?? refund.refundId,
          })
          .where('id = :id AND status = :processing', { id: refund.id, processing: PayRefundStatus.Processing })
          .execute();
        if (taken.affected !== 1) return 'not-processing' as const;
        const order = await em.findOneByOrFail(PayOrder, { id: refund.payOrderId });
        if (order.purchaseId) {
          const purchaseRefundId = await this.saleRefunds.refundWithin(
            em,
            order.purchaseId,
            { amountFen: refund.amountFen, refundNo: refund.outRefundNo },
            refund.staffOpenid,
            now,
            { viaWechatPay: true },
          );
          await em.update(PayRefund, { id: refund.id }, { purchaseRefundId });
        }
        await em
          .createQueryBuilder()
          .update(PayOrder)
          .set({ refundedFen: () => 'refunded_fen + :amount' })
          .where('id = :id', { id: order.id, amount: refund.amountFen })
          .execute();
        return 'succeeded' as const;
      });
    } catch (error) {
      // A domain refusal is our state disagreeing with money WeChat has already moved: no retry can fix it.
      if (error instanceof DomainError) return this.flagRefund(refund, wechat, `${error.code} when WeChat confirmed it`);
      throw error;
    }
    if (settled === 'succeeded') {
      this.logger.log({ outRefundNo: refund.outRefundNo, amountFen: refund.amountFen }, 'refund succeeded');
      return 'succeeded';
    }
    const current = await this.dataSource.getRepository(PayRefund).findOneByOrFail({ id: refund.id });
    if (current.status === PayRefundStatus.Failed)
      return this.flagRefund(current, wechat, 'WeChat confirmed a refund we had recorded as failed');
    return 'duplicate';
  }

  /**
   * Records a confirmation we cannot apply. The amount stays committed on the order (WeChat refunded it, so no
   * new refund may use it); refunded_fen counts only refunds whose effects applied.
   */
  private async flagRefund(refund: PayRefund, wechat: WechatRefund, reason: string): Promise<'flagged' | 'duplicate'> {
    const now = this.clock.now();
    const flagged = await this.transactions.run(async (em) => {
      const flag = (from: PayRefundStatus) =>
        em
          .createQueryBuilder()
          .update(PayRefund)
          .set({
            status: PayRefundStatus.Flagged,
            flagReason: reason.slice(0, 200),
            succeededAt: parseWechatTime(wechat.success_time) ?? now,
            refundId: wechat.refund_id ?? refund.refundId,
          })
          .where('id = :id AND status = :from', { id: refund.id, from })
          .execute();
      if ((await flag(PayRefundStatus.Processing)).affected === 1) return true;
      if ((await flag(PayRefundStatus.Failed)).affected !== 1) return false;
      // Committed again while that stays within what was paid (WeChat itself refuses refunds beyond it).
      await em
        .createQueryBuilder()
        .update(PayOrder)
        .set({ refundCommittedFen: () => 'refund_committed_fen + :amount' })
        .where('id = :id AND refund_committed_fen + :amount <= payable_fen', { id: refund.payOrderId, amount: refund.amountFen })
        .execute();
      return true;
    });
    if (!flagged) return 'duplicate';
    this.logger.error(
      { outRefundNo: refund.outRefundNo, amountFen: refund.amountFen, reason },
      'WeChat confirmed a refund that conflicts with our state: flagged for a person',
    );
    return 'flagged';
  }

  private async failRefund(refund: PayRefund, failure: string): Promise<boolean> {
    return this.transactions.run(async (em) => {
      const taken = await em
        .createQueryBuilder()
        .update(PayRefund)
        .set({ status: PayRefundStatus.Failed, failure: failure.slice(0, 200) })
        .where('id = :id AND status = :processing', { id: refund.id, processing: PayRefundStatus.Processing })
        .execute();
      if (taken.affected !== 1) return false;
      await em
        .createQueryBuilder()
        .update(PayOrder)
        .set({ refundCommittedFen: () => 'refund_committed_fen - :amount' })
        .where('id = :id', { id: refund.payOrderId, amount: refund.amountFen })
        .execute();
      return true;
    });
  }
}

/**
 * Orders whose money can go back through WeChat Pay: a paid one, and one WeChat took payment for after we had
 * closed it (flagged with the payment's transaction id; its holds went back and nothing was granted, so its refund
 * moves no points and no coupon). An order flagged because WeChat's report did not match it (another amount, another
 * payer) carries no transaction id of ours: a person settles that one.
 */
function refundable(order: PayOrder): boolean {
  if (order.status === PayOrderStatus.Paid) return true;
  return order.status === PayOrderStatus.Flagged && order.transactionId !== null && order.purchaseId === null;
}
