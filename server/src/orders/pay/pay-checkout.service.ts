import type { AppConfig } from '@member/config';
import {
  errorMessage,
  priceOrder,
  PayOrderStatus,
  quoteCheckout,
  type CheckoutOptions,
  type CouponPreview,
  type CreatePayOrderRequest,
  type CreatePayOrderResponse,
  type ErrorCode,
  type PayOrderView,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../../common/app-config';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { couponsRepository, RedemptionOwner } from '../../coupons/coupons.repository';
import { RedemptionService } from '../../coupons/redemption.service';
import { WalletService } from '../../coupons/wallet.service';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { membersRepository, type MemberRecord } from '../../members/members.repository';
import { PointsLedger } from '../../points/points-ledger';
import { payOrderBurnKey, WECHAT_PAY_CHANNEL } from '../sale.entities';
import { PayCompletionService } from './pay-completion.service';
import { PayOrder } from './pay-order.entity';
import { checkoutHash, newOutTradeNo, PayRules } from './pay-rules';
import { PayViews } from './pay-views.service';
import { WechatPayApiError, WechatPayClient } from './wechat-pay.client';

/** How long a resent checkout waits for the first request's prepay before answering the order as it stands. */
const PREPAY_WAIT_MS = 10_000;

/**
 * The member pays in the app with WeChat Pay. Checkout prices the order with the shared quote, holds its coupon
 * and points in one transaction, then (outside any transaction) asks WeChat for a prepay. Completion, closing
 * and refunds are PayCompletionService's and PayRefundsService's.
 */
@Injectable()
export class PayCheckoutService {
  private readonly logger = new Logger(PayCheckoutService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly ledger: PointsLedger,
    private readonly redemptions: RedemptionService,
    private readonly wallet: WalletService,
    private readonly wechatPay: WechatPayClient,
    private readonly completion: PayCompletionService,
    private readonly views: PayViews,
    private readonly rules: PayRules,
    private readonly clock: Clock,
  ) {}

  /** What the member may apply to this amount at this store: their usable coupons (and why not) and points. */
  async checkout(memberId: number, amountFen: number, storeCode: string): Promise<CheckoutOptions> {
    this.rules.requireConfigured();
    const store = this.rules.store(storeCode);
    this.rules.checkAmount(amountFen);
    const member = await this.joinedMember(memberId);
    const tier = this.tierOf(member);
    const usable = await this.wallet.wallet(memberId, 'usable');
    const coupons = usable.coupons.map((coupon) => {
      // Its threshold measured where it applies: on the member price when it stacks, else on the order amount.
      const price = priceOrder({ grossFen: amountFen, memberPricePermille: tier.memberPricePermille, coupon: coupon.terms });
      const reason: ErrorCode | null = coupon.notYetValid ? 'COUPON_NOT_YET_VALID' : price.ok ? null : price.code;
      return { coupon, applicable: reason === null, reasonText: reason ? errorMessage(reason) : null };
    });
    // Applicable first, the one taking most off first; the rest keep the wallet's soonest-to-expire order.
    coupons.sort((a, b) => Number(b.applicable) - Number(a.applicable));
    return {
      amountFen,
      storeCode: store.code,
      storeName: store.name,
      coupons,
      pointsBalance: member.pointsBalance,
      burnRule: this.rules.burnRule(),
      tierName: tier.name,
      memberPricePermille: tier.memberPricePermille,
    };
  }

  /** The member's tier as configured (an unknown code reads as the lowest tier, as the settlement does). */
  private tierOf(member: Pick<MemberRecord, 'tier'>) {
    return this.config.tiers.find((t) => t.code === member.tier) ?? [...this.config.tiers].sort((a, b) => a.minSpendFen - b.minSpendFen)[0];
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
      const prepay = await this.wechatPay.prepay(this.rules.prepayRequest(order));
      // Only onto an order still pending: one the reconcile job closed meanwhile (no prepay after a minute, its
      // holds given back) gets no payment parameters, so the member cannot pay an order that no longer holds anything.
      const stored = await this.dataSource
        .getRepository(PayOrder)
        .update({ id: orderId, status: PayOrderStatus.Pending }, { prepayId: prepay.prepayId, prepayAt: this.clock.now() });
      if (stored.affected !== 1) throw new DomainError('PAY_ORDER_CLOSED');
      order.prepayId = prepay.prepayId;
      this.logger.log({ outTradeNo, memberId, payableFen: order.payableFen }, 'pay order created');
      return { order: await this.views.view(order), payment: prepay.params };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'PAY_ORDER_CLOSED') throw error; // its holds went back already
      this.logger.warn({ err: error, outTradeNo }, 'prepay failed; releasing the coupon and points');
      await this.completion.closeLocally(order, this.clock.now());
      // PARAM_ERROR names a field WeChat refused (description, openid, notify_url…): a setup problem, never
      // "the amount is wrong", and not worth retrying as if WeChat were busy.
      throw new DomainError(
        error instanceof WechatPayApiError && error.code === 'PARAM_ERROR' ? 'PAY_PARAMS_REJECTED' : 'PAY_UNAVAILABLE',
        undefined,
        { reason: (error as Error).message },
      );
    }
  }

  /** Prices the checkout and holds its coupon and points with a pending order, in one transaction; its id. */
  private async holdOrder(memberId: number, request: CreatePayOrderRequest, hash: string): Promise<number> {
    this.rules.requireConfigured();
    const store = this.rules.store(request.storeCode);
    this.rules.checkAmount(request.amountFen);
    const member = await this.joinedMember(memberId);

    // The coupon is checked before the transaction (reads only) and redeemed inside it, conditionally.
    let preview: CouponPreview | null = null;
    if (request.couponId !== undefined) {
      const coupon = await couponsRepository.findCoupon(this.dataSource.manager, request.couponId);
      if (!coupon || coupon.memberId !== memberId) throw new DomainError('COUPON_NOT_FOUND');
      preview = await this.redemptions.preview({ code: coupon.code, orderAmountFen: request.amountFen, memberId });
      if (!preview.applicable) throw new DomainError(preview.reason as ErrorCode);
    }
    const held = preview;

    const now = this.clock.now();
    const outTradeNo = newOutTradeNo(now);
    return this.transactions.run(async (em) => {
      // The tier is read under the member's row lock when the order is created; the order records the member
      // price it was priced with, and its settlement uses those numbers whatever the tier is by then.
      // The row lock first (by the primary key), then the tier: see PurchasesService.recordOnce.
      const balance = await this.ledger.lockSpendableBalance(em, memberId, now);
      // Deletion refuses while an order is pending, so checkout refuses once the account is gone: read under the
      // lock, an order can no longer be left holding points and a coupon on an anonymised member.
      const account = await membersRepository.lockAccount(em, memberId);
      if (account.deleted) throw new DomainError('SESSION_REVOKED');
      const tier = this.tierOf({ tier: account.tier });
      const quote = quoteCheckout({
        amountFen: request.amountFen,
        memberPricePermille: tier.memberPricePermille,
        coupon: held?.coupon.terms ?? null,
        pointsToBurn: request.pointsToBurn ?? 0,
        balance,
        burnRule: this.rules.burnRule(),
      });
      if (!quote.ok) throw new DomainError(quote.code);
      // A non-stacking coupon the member price beats is set aside: not redeemed, the member keeps it.
      const coupon = quote.couponApplied ? held : null;
      const inserted = await em.insert(PayOrder, {
        outTradeNo,
        memberId,
        openid: member.openid,
        idempotencyKey: request.idempotencyKey,
        requestHash: hash,
        storeCode: store.code,
        status: PayOrderStatus.Pending,
        grossFen: quote.grossFen,
        memberDiscountFen: quote.memberDiscountFen,
        memberPricePermille: quote.memberPricePermille,
        couponId: coupon?.coupon.id ?? null,
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
      if (coupon) {
        const couponBaseFen = quote.grossFen - quote.memberDiscountFen;
        const redemptionId = await this.redemptions.redeemWithin(
          em,
          { ...coupon, discountFen: quote.couponDiscountFen, payableFen: couponBaseFen - quote.couponDiscountFen },
          { orderAmountFen: couponBaseFen, idempotencyKey: `pay-${outTradeNo}` },
          WECHAT_PAY_CHANNEL,
          now,
          { owner: RedemptionOwner.PayOrder, storeCode: store.code },
        );
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
    return this.views.answer(current);
  }

  /**
   * The member's order. With `confirm` (the app calls it right after `requestPayment` succeeds), a pending
   * order is looked up at WeChat at once, so the result shows even when the notification is late.
   */
  async get(memberId: number, outTradeNo: string, confirm: boolean): Promise<CreatePayOrderResponse> {
    let order = await this.views.memberOrder(memberId, outTradeNo);
    if (confirm && order.status === PayOrderStatus.Pending && order.prepayId) {
      try {
        const transaction = await this.wechatPay.queryOrder(outTradeNo);
        if (transaction?.trade_state === 'SUCCESS') await this.completion.applyTransaction(transaction);
      } catch (error) {
        this.logger.warn({ err: error, outTradeNo }, 'order query failed; the notification or the job will complete it');
      }
      order = await this.views.memberOrder(memberId, outTradeNo);
    }
    return this.views.answer(order);
  }

  /** The member gives up: the order is closed (at WeChat first) and the coupon and points come back. */
  async cancel(memberId: number, outTradeNo: string): Promise<PayOrderView> {
    const order = await this.views.memberOrder(memberId, outTradeNo);
    if (order.status === PayOrderStatus.Pending) await this.completion.close(order);
    return this.views.view(await this.views.memberOrder(memberId, outTradeNo));
  }

  private async joinedMember(memberId: number): Promise<MemberRecord> {
    const member = await membersRepository.find(this.dataSource.manager, memberId);
    if (!member?.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
    return member;
  }
}
