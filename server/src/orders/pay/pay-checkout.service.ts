import { randomBytes } from 'node:crypto';
import type { AppConfig } from '@member/config';
import {
  checkRefund,
  computeCouponDiscount,
  errorMessage,
  PayOrderStatus,
  PayRefundStatus,
  quoteCheckout,
  type CheckoutOptions,
  type CouponPreview,
  type CreatePayOrderRequest,
  type CreatePayOrderResponse,
  type CreatePayRefundRequest,
  type ErrorCode,
  type PayOrderListResponse,
  type PayOrderView,
  type PayRefundView,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In, LessThan, type EntityManager } from 'typeorm';
import { InjectConfig } from '../../common/app-config';
import { requestHash } from '../../common/request-hash';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { CouponRedemption, RedemptionOwner } from '../../coupons/coupon-redemption.entity';
import { CouponTemplate } from '../../coupons/coupon-template.entity';
import { Coupon } from '../../coupons/coupon.entity';
import { RedemptionService } from '../../coupons/redemption.service';
import { WalletService } from '../../coupons/wallet.service';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { Member } from '../../members/member.entity';
import { PointsLedger } from '../../points/points-ledger';
import { PointsLedgerLine } from '../../points/points.entities';
import { PurchasesService } from '../purchases.service';
import { SaleRefunds } from '../sale-refunds.service';
import { SaleSettlement } from '../sale-settlement.service';
import { payOrderBurnKey, PurchaseRefund, WECHAT_PAY_CHANNEL } from '../sale.entities';
import { PayOrder, PayRefund } from './pay-order.entity';
import { cutUtf8, WechatPayApiError, WechatPayClient, WechatPayUnavailableError, type WechatRefund, type WechatTransaction } from './wechat-pay.client';

const RECONCILE_BATCH = 100;
const STAFF_PAGE = 30;
/** An order whose prepay never came back (a crash or failure between our insert and WeChat's answer). */
const PREPAY_LOST_AFTER_MS = 60_000;
/** WeChat's answers that mean "not now" for a refund: it is kept processing and asked again with the same number. */
const REFUND_LATER_CODES = new Set(['NOT_ENOUGH', 'FREQUENCY_LIMITED', 'RATELIMIT_EXCEEDED', 'SYSTEM_ERROR']);
/** How long a resent checkout waits for the first request's prepay before answering the order as it stands. */
const PREPAY_WAIT_MS = 10_000;
/** Trade states in which nothing can be paid any more. */
const FINISHED_UNPAID = new Set<WechatTransaction['trade_state']>(['CLOSED', 'REVOKED', 'PAYERROR']);

/**
 * Paying in the app with WeChat Pay. Checkout prices the order with the shared quote, holds its coupon and
 * points in one transaction, then (outside any transaction) asks WeChat for a prepay. WeChat's notification —
 * or the reconciliation job's query when a notification is missed — completes the order exactly once: a
 * conditional UPDATE from `pending` admits one completion, which records the purchase (points, tier) in the
 * same transaction. Closing an unpaid order (expired or cancelled) closes it at WeChat first, then gives the
 * coupon and points back. Refunds are asked of WeChat and take effect when WeChat confirms them.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly ledger: PointsLedger,
    private readonly redemptions: RedemptionService,
    private readonly purchases: PurchasesService,
    private readonly settlement: SaleSettlement,
    private readonly saleRefunds: SaleRefunds,
    private readonly wallet: WalletService,
    private readonly wechatPay: WechatPayClient,
    private readonly clock: Clock,
  ) {}

  /** What the member may apply to this amount at this store: their usable coupons (and why not) and points. */
  async checkout(memberId: number, amountFen: number, storeCode: string): Promise<CheckoutOptions> {
    this.requireConfigured();
    const store = this.store(storeCode);
    this.checkAmount(amountFen);
    const member = await this.joinedMember(memberId);
    const usable = await this.wallet.wallet(memberId, 'usable');
    const coupons = usable.coupons.map((coupon) => {
      const discount = computeCouponDiscount(coupon.terms, amountFen);
      const reason: ErrorCode | null = coupon.notYetValid ? 'COUPON_NOT_YET_VALID' : discount.applicable ? null : discount.reason;
      return { coupon, applicable: reason === null, reasonText: reason ? errorMessage(reason) : null };
    });
    // Applicable first, the one taking most off first; the rest keep the wallet's soonest-to-expire order.
    coupons.sort((a, b) => Number(b.applicable) - Number(a.applicable));
    return { amountFen, storeCode: store.code, storeName: store.name, coupons, pointsBalance: member.pointsBalance, burnRule: this.burnRule() };
  }

  async create(memberId: number, request: CreatePayOrderRequest): Promise<CreatePayOrderResponse> {
    const hash = checkoutHash(request);
    const earlier = await this.orderByKey(memberId, request.idempotencyKey);
    if (earlier) return this.replayOrder(earlier, hash);
    let orderId: number;
    try {
      orderId = await this.holdOrder(memberId, request, hash);
    } catch (error) {
      // The same checkout sent again while the first was under way: its checks fail (the coupon is taken, the
      // points are spent: it waited on the member's row lock until the first committed) or its insert hits the
      // key. Every resend answers the first order.
      if (error instanceof DomainError || isUniqueViolation(error)) {
        const winner = await this.orderByKey(memberId, request.idempotencyKey);
        if (winner) return this.replayOrder(winner, hash);
      }
      throw error;
    }

    // The slow call, after commit: no transaction waits on WeChat.
    const order = await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: orderId });
    const outTradeNo = order.outTradeNo;
    try {
      const prepay = await this.wechatPay.prepay({
        outTradeNo,
        // WeChat's limit is 127 UTF-8 bytes (the client cuts it there, between characters).
        description: `${this.config.payment.description}-${this.store(order.storeCode).name}`,
        totalFen: order.payableFen,
        openid: order.openid,
        expiresAt: order.expiresAt,
      });
      await this.dataSource.getRepository(PayOrder).update({ id: orderId }, { prepayId: prepay.prepayId });
      order.prepayId = prepay.prepayId;
      this.logger.log({ outTradeNo, memberId, payableFen: order.payableFen }, 'pay order created');
      return { order: await this.view(order), payment: prepay.params };
    } catch (error) {
      this.logger.warn({ err: error, outTradeNo }, 'prepay failed; releasing the coupon and points');
      await this.closeLocally(order, this.clock.now());
      // PARAM_ERROR names a field WeChat refused (description, openid, notify_url…): a setup problem, never
      // "the amount is wrong", and not worth retrying as if WeChat were busy.
      throw new DomainError(error instanceof WechatPayApiError && error.code === 'PARAM_ERROR' ? 'PAY_PARAMS_REJECTED' : 'PAY_UNAVAILABLE', undefined, { reason: (error as Error).message });
    }
  }

  /** Prices the checkout and holds its coupon and points with a pending order, in one transaction; its id. */
  private async holdOrder(memberId: number, request: CreatePayOrderRequest, hash: string): Promise<number> {
    this.requireConfigured();
    const store = this.store(request.storeCode);
    this.checkAmount(request.amountFen);
    const member = await this.joinedMember(memberId);

    // The coupon is checked before the transaction (reads only) and redeemed inside it, conditionally.
    let preview: CouponPreview | null = null;
    if (request.couponId !== undefined) {
      const coupon = await this.dataSource.getRepository(Coupon).findOneBy({ id: request.couponId });
      if (!coupon || coupon.memberId !== memberId) throw new DomainError('COUPON_NOT_FOUND');
      preview = await this.redemptions.preview({ code: coupon.code, orderAmountFen: request.amountFen, memberId });
      if (!preview.applicable) throw new DomainError(preview.reason as ErrorCode);
    }
    const held = preview;

    const now = this.clock.now();
    const outTradeNo = newOutTradeNo(now);
    return this.transactions.run(async (em) => {
      const balance = await this.ledger.lockBalance(em, memberId);
      const quote = quoteCheckout({ amountFen: request.amountFen, coupon: held?.coupon.terms ?? null, pointsToBurn: request.pointsToBurn ?? 0, balance, burnRule: this.burnRule() });
      if (!quote.ok) throw new DomainError(quote.code);
      const inserted = await em.insert(PayOrder, {
        outTradeNo,
        memberId,
        openid: member.openid,
        idempotencyKey: request.idempotencyKey,
        requestHash: hash,
        storeCode: store.code,
        status: PayOrderStatus.Pending,
        grossFen: quote.grossFen,
        couponId: held?.coupon.id ?? null,
        redemptionId: null,
        couponDiscountFen: quote.couponDiscountFen,
        pointsBurned: quote.pointsBurned,
        payableFen: quote.payableFen,
        refundCommittedFen: 0,
        refundedFen: 0,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.payment.orderExpireMinutes * 60_000),
      });
      const id = inserted.identifiers[0].id as number;
      if (held) {
        const redemptionId = await this.redemptions.redeemWithin(em, held, { orderAmountFen: request.amountFen, idempotencyKey: `pay-${outTradeNo}` }, WECHAT_PAY_CHANNEL, now, { owner: RedemptionOwner.PayOrder });
        await em.update(PayOrder, { id }, { redemptionId });
      }
      await this.ledger.debit(em, { memberId, points: quote.pointsBurned, reason: 'burn', sourceKey: payOrderBurnKey(outTradeNo), now });
      return id;
    });
  }

  private orderByKey(memberId: number, idempotencyKey: string): Promise<PayOrder | null> {
    return this.dataSource.getRepository(PayOrder).findOneBy({ memberId, idempotencyKey });
  }

  /**
   * The first order under this key, answered again; refused when the key was used for another checkout. While
   * the first request is still asking WeChat for its prepay, a resend waits for it briefly, so it answers the
   * same payment parameters rather than an order it cannot pay.
   */
  private async replayOrder(order: PayOrder, hash: string): Promise<CreatePayOrderResponse> {
    if (order.requestHash !== null && order.requestHash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    let current = order;
    const until = Date.now() + PREPAY_WAIT_MS;
    while (current.status === PayOrderStatus.Pending && current.prepayId === null && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: order.id });
    }
    return this.answer(current);
  }

  /**
   * The member's order. With `confirm` (the app calls it right after `requestPayment` succeeds), a pending
   * order is looked up at WeChat at once, so the result shows even when the notification is late.
   */
  async get(memberId: number, outTradeNo: string, confirm: boolean): Promise<CreatePayOrderResponse> {
    let order = await this.memberOrder(memberId, outTradeNo);
    if (confirm && order.status === PayOrderStatus.Pending && order.prepayId) {
      try {
        const transaction = await this.wechatPay.queryOrder(outTradeNo);
        if (transaction?.trade_state === 'SUCCESS') await this.applyTransaction(transaction);
      } catch (error) {
        this.logger.warn({ err: error, outTradeNo }, 'order query failed; the notification or the job will complete it');
      }
      order = await this.memberOrder(memberId, outTradeNo);
    }
    return this.answer(order);
  }

  /** The member gives up: the order is closed (at WeChat first) and the coupon and points come back. */
  async cancel(memberId: number, outTradeNo: string): Promise<PayOrderView> {
    const order = await this.memberOrder(memberId, outTradeNo);
    if (order.status === PayOrderStatus.Pending) await this.close(order);
    return this.view(await this.memberOrder(memberId, outTradeNo));
  }

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
      await this.dataSource.getRepository(PayOrder).update({ id: order.id, status: PayOrderStatus.Closed }, { status: PayOrderStatus.Flagged, flagReason: 'paid after the order was closed', transactionId: transaction.transaction_id ?? null, paidAt });
      this.logger.error({ outTradeNo: order.outTradeNo }, 'payment arrived for a closed order: flagged for refund');
      return 'flagged';
    }
    return 'duplicate';
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
        this.requireConfigured();
        if (await this.readmitRefund(earlier)) await this.askWechatToRefund(order, earlier);
      } else if (earlier.status === PayRefundStatus.Processing && earlier.refundId === null) {
        this.requireConfigured();
        await this.askWechatToRefund(order, earlier);
      }
      return this.view(await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: order.id }));
    }
    if (order.status !== PayOrderStatus.Paid) throw new DomainError('PAY_ORDER_NOT_PAID');
    const invalid = checkRefund(order.payableFen, 0, request.amountFen);
    if (invalid) throw new DomainError(invalid);
    this.requireConfigured();

    const now = this.clock.now();
    let refund: PayRefund;
    try {
      refund = await this.transactions.run(async (em) => {
        // Concurrent refunds: admitted only while asked-for refunds stay within what was paid.
        const taken = await em
          .createQueryBuilder()
          .update(PayOrder)
          .set({ refundCommittedFen: () => 'refund_committed_fen + :amount' })
          .where('id = :id AND status = :paid AND refund_committed_fen + :amount <= payable_fen', { id: order.id, paid: PayOrderStatus.Paid, amount: request.amountFen })
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
    return this.view(await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: order.id }));
  }

  async staffOrder(outTradeNo: string): Promise<PayOrderView> {
    const order = await this.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo });
    if (!order) throw new DomainError('PAY_ORDER_NOT_FOUND');
    return this.view(order);
  }

  /** `storeCodes`: only these stores' orders (a clerk's or store manager's); null: every store (an admin). */
  async staffOrders(status: PayOrderStatus | undefined, before: number | undefined, storeCodes: string[] | null = null): Promise<PayOrderListResponse> {
    const orders = await this.dataSource.getRepository(PayOrder).find({
      where: { ...(status ? { status } : {}), ...(before ? { id: LessThan(before) } : {}), ...(storeCodes ? { storeCode: In(storeCodes) } : {}) },
      order: { id: 'DESC' },
      take: STAFF_PAGE,
    });
    const views = await Promise.all(orders.map((order) => this.view(order)));
    return { orders: views, nextBefore: orders.length === STAFF_PAGE ? orders[orders.length - 1].id : null };
  }

  /**
   * The safety net for missed notifications: pending orders older than `queryAfterSeconds` are looked up at
   * WeChat (completed if paid, closed if expired), and so are refunds still processing.
   */
  async reconcile(): Promise<{ completed: number; closed: number; refundsSettled: number }> {
    const now = this.clock.now();
    const queryBefore = new Date(now.getTime() - this.config.payment.queryAfterSeconds * 1000);
    const result = { completed: 0, closed: 0, refundsSettled: 0 };
    const pending = await this.dataSource.getRepository(PayOrder).find({ where: { status: PayOrderStatus.Pending, createdAt: LessThan(queryBefore) }, order: { createdAt: 'ASC' }, take: RECONCILE_BATCH });
    for (const order of pending) {
      try {
        if (!order.prepayId) {
          if (now.getTime() - order.createdAt.getTime() > PREPAY_LOST_AFTER_MS && (await this.close(order))) result.closed++;
          continue;
        }
        const transaction = await this.wechatPay.queryOrder(order.outTradeNo);
        if (transaction?.trade_state === 'SUCCESS') {
          if ((await this.applyTransaction(transaction)) === 'completed') result.completed++;
        } else if (!transaction || FINISHED_UNPAID.has(transaction.trade_state)) {
          // WeChat has nothing payable under this number: the holds go back without a close call.
          if (await this.closeLocally(order, now)) result.closed++;
        } else if (now >= order.expiresAt && transaction.trade_state === 'NOTPAY') {
          // USERPAYING is left alone: the member is paying right now; the next run looks again.
          if (await this.close(order)) result.closed++;
        }
      } catch (error) {
        this.logger.warn({ err: error, outTradeNo: order.outTradeNo }, 'reconciling an order failed; next run retries');
      }
    }
    const refunds = await this.dataSource.getRepository(PayRefund).find({ where: { status: PayRefundStatus.Processing, createdAt: LessThan(queryBefore) }, order: { createdAt: 'ASC' }, take: RECONCILE_BATCH });
    for (const refund of refunds) {
      try {
        const wechat = await this.wechatPay.queryRefund(refund.outRefundNo);
        if (!wechat) {
          // WeChat never got it (we timed out before it answered): ask again, same number, refunded once.
          const order = await this.dataSource.getRepository(PayOrder).findOneByOrFail({ id: refund.payOrderId });
          await this.askWechatToRefund(order, refund);
        } else if ((await this.applyRefund(wechat)) === 'succeeded') {
          result.refundsSettled++;
        }
      } catch (error) {
        this.logger.warn({ err: error, outRefundNo: refund.outRefundNo }, 'reconciling a refund failed; next run retries');
      }
    }
    return result;
  }

  /**
   * Closes an unpaid order, deciding by what WeChat says, never by a guess: a 204, a repeated close or 400
   * ORDER_CLOSED close it here too (the holds go back); 202 USERPAYING leaves it pending (the member is paying:
   * closing here would flag the payment about to land); anything else (403 TRADE_ERROR, ORDERPAID) is settled
   * by a query's trade_state. Within `closeNotBeforeSeconds` of creation WeChat is not asked to close at all
   * (it advises against it): the query decides, and a NOTPAY order is closed here, its payment window
   * ending at WeChat with the order's time_expire. True when the order was closed here.
   */
  private async close(order: PayOrder): Promise<boolean> {
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
    if (!transaction || FINISHED_UNPAID.has(transaction.trade_state) || (young && transaction.trade_state === 'NOTPAY')) return this.closeLocally(order, this.clock.now());
    // USERPAYING, or NOTPAY after a close WeChat would not do (TRADE_ERROR): still open; the job asks again.
    this.logger.log({ outTradeNo: order.outTradeNo, tradeState: transaction.trade_state }, 'not closed yet: WeChat still has the order open');
    return false;
  }

  private async closeLocally(order: PayOrder, now: Date): Promise<boolean> {
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
  private async releaseHolds(em: EntityManager, order: PayOrder, now: Date): Promise<void> {
    const fresh = await em.findOneByOrFail(PayOrder, { id: order.id });
    if (fresh.redemptionId) {
      const redemption = await em.findOneByOrFail(CouponRedemption, { id: fresh.redemptionId });
      await this.redemptions.reverseWithin(em, redemption, now);
    }
    if (fresh.pointsBurned > 0) {
      const burnLine = await em.findOneByOrFail(PointsLedgerLine, { sourceKey: payOrderBurnKey(fresh.outTradeNo) });
      await this.ledger.credit(em, { memberId: fresh.memberId, points: fresh.pointsBurned, reason: 'restore', sourceKey: `payorder:${fresh.outTradeNo}:release`, now, expiresAt: burnLine.expiresAt ?? now });
    }
  }

  /**
   * Asks WeChat for the refund, always under its own out_refund_no. What WeChat refuses for good (PARAM_ERROR,
   * INVALID_REQUEST…) fails it and gives the amount back to the order; what means "not now" — no answer, 5xx,
   * 429/FREQUENCY_LIMITED (refunds of one order are a minute apart), NOT_ENOUGH (the merchant's balance is low)
   * — keeps it processing for the reconcile job to ask again with the same number.
   */
  private async askWechatToRefund(order: PayOrder, refund: PayRefund): Promise<void> {
    try {
      const wechat = await this.wechatPay.refund({ outTradeNo: order.outTradeNo, outRefundNo: refund.outRefundNo, refundFen: refund.amountFen, totalFen: order.payableFen, reason: refund.reason ?? undefined });
      if (wechat.refund_id) await this.dataSource.getRepository(PayRefund).update({ id: refund.id }, { refundId: wechat.refund_id, failure: null });
      if (wechat.status === 'SUCCESS' || wechat.status === 'CLOSED') await this.applyRefund(wechat);
    } catch (error) {
      if (error instanceof WechatPayApiError && REFUND_LATER_CODES.has(error.code)) {
        await this.dataSource.getRepository(PayRefund).update({ id: refund.id, status: PayRefundStatus.Processing }, { failure: `${error.code}: retrying`.slice(0, 200) });
        this.logger.warn({ outRefundNo: refund.outRefundNo, code: error.code }, 'WeChat cannot refund now; will retry with the same number');
        if (error.code === 'NOT_ENOUGH') throw new DomainError('PAY_REFUND_BALANCE_LOW', undefined, { reason: error.message });
        return;
      }
      if (error instanceof WechatPayApiError) {
        await this.failRefund(refund, `${error.code}: ${error.detail}`);
        throw new DomainError(error.code === 'PARAM_ERROR' ? 'PAY_PARAMS_REJECTED' : 'PAY_UNAVAILABLE', undefined, { reason: error.message });
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
        .where('id = :id AND status = :paid AND refund_committed_fen + :amount <= payable_fen', { id: refund.payOrderId, paid: PayOrderStatus.Paid, amount: refund.amountFen })
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
          .set({ status: PayRefundStatus.Succeeded, succeededAt: parseWechatTime(wechat.success_time) ?? now, refundId: wechat.refund_id ?? refund.refundId })
          .where('id = :id AND status = :processing', { id: refund.id, processing: PayRefundStatus.Processing })
          .execute();
        if (taken.affected !== 1) return 'not-processing' as const;
        const order = await em.findOneByOrFail(PayOrder, { id: refund.payOrderId });
        if (order.purchaseId) {
          const purchaseRefundId = await this.saleRefunds.refundWithin(em, order.purchaseId, { amountFen: refund.amountFen, refundNo: refund.outRefundNo }, refund.staffOpenid, now, { viaWechatPay: true });
          await em.update(PayRefund, { id: refund.id }, { purchaseRefundId });
        }
        await em.createQueryBuilder().update(PayOrder).set({ refundedFen: () => 'refunded_fen + :amount' }).where('id = :id', { id: order.id, amount: refund.amountFen }).execute();
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
    if (current.status === PayRefundStatus.Failed) return this.flagRefund(current, wechat, 'WeChat confirmed a refund we had recorded as failed');
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
          .set({ status: PayRefundStatus.Flagged, flagReason: reason.slice(0, 200), succeededAt: parseWechatTime(wechat.success_time) ?? now, refundId: wechat.refund_id ?? refund.refundId })
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
    this.logger.error({ outRefundNo: refund.outRefundNo, amountFen: refund.amountFen, reason }, 'WeChat confirmed a refund that conflicts with our state: flagged for a person');
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
      await em.createQueryBuilder().update(PayOrder).set({ refundCommittedFen: () => 'refund_committed_fen - :amount' }).where('id = :id', { id: refund.payOrderId, amount: refund.amountFen }).execute();
      return true;
    });
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

  private async answer(order: PayOrder): Promise<CreatePayOrderResponse> {
    const payable = order.status === PayOrderStatus.Pending && order.prepayId !== null && this.clock.now() < order.expiresAt;
    return { order: await this.view(order), payment: payable ? this.wechatPay.paymentParams(order.prepayId as string) : null };
  }

  private async view(order: PayOrder): Promise<PayOrderView> {
    const refunds = await this.dataSource.getRepository(PayRefund).find({ where: { payOrderId: order.id }, order: { id: 'ASC' } });
    const purchaseRefundIds = refunds.map((r) => r.purchaseRefundId).filter((id): id is number => id !== null);
    const effects = purchaseRefundIds.length ? await this.dataSource.getRepository(PurchaseRefund).findBy({ id: In(purchaseRefundIds) }) : [];
    let couponName: string | null = null;
    if (order.couponId) {
      const coupon = await this.dataSource.getRepository(Coupon).findOneBy({ id: order.couponId });
      couponName = coupon ? ((await this.dataSource.getRepository(CouponTemplate).findOneBy({ id: coupon.templateId }))?.name ?? null) : null;
    }
    return {
      outTradeNo: order.outTradeNo,
      memberId: order.memberId,
      storeCode: order.storeCode,
      status: order.status,
      grossFen: order.grossFen,
      couponId: order.couponId,
      couponName,
      couponDiscountFen: order.couponDiscountFen,
      pointsBurned: order.pointsBurned,
      payableFen: order.payableFen,
      refundedFen: order.refundedFen,
      createdAt: order.createdAt.toISOString(),
      expiresAt: order.expiresAt.toISOString(),
      paidAt: order.paidAt?.toISOString() ?? null,
      transactionId: order.transactionId,
      flagReason: order.flagReason,
      purchase: order.purchaseId ? await this.purchases.get(order.purchaseId) : null,
      refunds: refunds.map((refund): PayRefundView => {
        const effect = effects.find((e) => e.id === refund.purchaseRefundId);
        return {
          outRefundNo: refund.outRefundNo,
          amountFen: refund.amountFen,
          status: refund.status,
          createdAt: refund.createdAt.toISOString(),
          succeededAt: refund.succeededAt?.toISOString() ?? null,
          pointsClawed: effect?.pointsClawed ?? 0,
          pointsRestored: effect?.pointsRestored ?? 0,
          couponRestored: Boolean(effect?.couponRestored),
          flagReason: refund.flagReason,
        };
      }),
    };
  }

  private async memberOrder(memberId: number, outTradeNo: string): Promise<PayOrder> {
    const order = await this.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo });
    // Another member's order is "not found", not "forbidden": order numbers must not be probed.
    if (!order || order.memberId !== memberId) throw new DomainError('PAY_ORDER_NOT_FOUND');
    return order;
  }

  private async joinedMember(memberId: number): Promise<Member> {
    const member = await this.dataSource.getRepository(Member).findOneBy({ id: memberId });
    if (!member?.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
    return member;
  }

  private store(code: string): AppConfig['stores'][number] {
    const store = this.config.stores.find((s) => s.code === code);
    if (!store) throw new DomainError('PAY_STORE_UNKNOWN');
    return store;
  }

  private checkAmount(amountFen: number): void {
    if (!Number.isSafeInteger(amountFen) || amountFen < 1 || amountFen > this.config.payment.maxOrderFen) throw new DomainError('PAY_AMOUNT_INVALID');
  }

  private burnRule() {
    return { minPoints: this.config.points.minBurnPoints, maxPermilleOfOrder: this.config.points.maxBurnPermilleOfOrder };
  }

  private requireConfigured(): void {
    if (!this.wechatPay.configured) throw new DomainError('PAY_NOT_CONFIGURED');
  }
}

/** "P" + Beijing yyyyMMddHHmmss + 12 random hex: 27 characters, unique, sortable by time, nothing guessable. */
function newOutTradeNo(now: Date): string {
  const beijing = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
  return `P${beijing}${randomBytes(6).toString('hex')}`;
}

/** What a checkout asks for; the member is part of the key itself. */
function checkoutHash(request: CreatePayOrderRequest): string {
  return requestHash({ amountFen: request.amountFen, storeCode: request.storeCode, couponId: request.couponId ?? null, pointsToBurn: request.pointsToBurn ?? 0 });
}

function parseWechatTime(text: string | undefined): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}
