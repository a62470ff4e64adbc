import { refundShares, type RefundPurchaseRequest } from '@member/shared';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { couponsRepository } from '../coupons/coupons.repository';
import { RedemptionService } from '../coupons/redemption.service';
import { DomainEvents } from '../events/domain-event-bus';
import { SaleRefunded } from '../events/domain-events';
import { PointsLedger } from '../points/points-ledger';
import { pointsRepository } from '../points/points.repository';
import { burnSourceKey, channelOf, payOrderBurnKey, Purchase, PurchaseRefund, WECHAT_PAY_CHANNEL } from './sale.entities';

/**
 * A refund's effects on a settled sale, whichever way it was paid — the till's refund (PurchasesService) and
 * WeChat Pay's confirmed refund (PayRefundsService) both end here. This is the one refund ceiling: a refund is
 * admitted only while the sale's refunds stay within what was paid. Publishes SaleRefunded.
 */
@Injectable()
export class SaleRefunds {
  constructor(
    private readonly ledger: PointsLedger,
    private readonly redemptions: RedemptionService,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Inside the caller's transaction: gives back the share of burned points, then claws back the share of earned
   * points, and the coupon on the full refund; records the refund's share of each step of the price (gross,
   * member price, coupon, points) from the sale's recorded numbers. Refuses a total above what was paid. Answers the refund's id.
   */
  async refundWithin(
    em: EntityManager,
    purchaseId: number,
    request: RefundPurchaseRequest,
    staffOpenid: string,
    now: Date,
    options: { viaWechatPay?: boolean } = {},
  ): Promise<number> {
    // Concurrent refunds of one purchase: the conditional UPDATE admits them only while the total stays
    // within what was paid, and locks the row, so each sees the refunds before it. A sale paid with WeChat Pay
    // is refunded only by WeChat Pay's confirmation (`viaWechatPay`), never by a clerk at the till; a till
    // sale never by WeChat Pay.
    const viaWechatPay = options.viaWechatPay === true;
    const taken = await em
      .createQueryBuilder()
      .update(Purchase)
      .set({ refundedFen: () => 'refunded_fen + :amount' })
      .where(`id = :id AND refunded_fen + :amount <= paid_fen AND staff_openid ${viaWechatPay ? '=' : '<>'} :channel`, {
        id: purchaseId,
        amount: request.amountFen,
        channel: WECHAT_PAY_CHANNEL,
      })
      .execute();
    if (taken.affected !== 1) {
      const purchase = await em.findOneBy(Purchase, { id: purchaseId });
      if (purchase && (purchase.staffOpenid === WECHAT_PAY_CHANNEL) !== viaWechatPay)
        throw new DomainError(viaWechatPay ? 'PURCHASE_NOT_FOUND' : 'REFUND_VIA_WECHAT_PAY');
      throw new DomainError('REFUND_EXCEEDS_PAID');
    }
    const after = await em.findOneByOrFail(Purchase, { id: purchaseId });
    const refundedBeforeFen = after.refundedFen - request.amountFen;
    const shares = refundShares({
      paidFen: after.paidFen,
      earnedPoints: after.pointsEarned,
      burnedPoints: after.pointsBurned,
      // The sale's recorded member price and coupon, never the member's tier now.
      memberDiscountFen: after.memberDiscountFen,
      couponDiscountFen: after.couponDiscountFen,
      refundedBeforeFen,
      refundFen: request.amountFen,
    });

    const inserted = await em.insert(PurchaseRefund, {
      purchaseId,
      refundNo: request.refundNo,
      amountFen: request.amountFen,
      pointsClawed: 0,
      pointsShortfall: 0,
      pointsRestored: 0,
      couponRestored: false,
      grossShareFen: shares.grossShareFen,
      memberDiscountShareFen: shares.memberDiscountShareFen,
      couponDiscountShareFen: shares.couponDiscountShareFen,
      staffOpenid,
      refundedAt: now,
    });
    const id = inserted.identifiers[0].id as number;
    let restored = 0;
    if (shares.restorePoints > 0) {
      const burnLine = await pointsRepository.findLine(
        em,
        after.staffOpenid === WECHAT_PAY_CHANNEL ? payOrderBurnKey(after.idempotencyKey) : burnSourceKey(purchaseId),
      );
      // Given-back points keep the expiries of the points that were burned (they do not become younger, nor older).
      await this.ledger.restore(em, {
        memberId: after.memberId,
        points: shares.restorePoints,
        fromLine: burnLine,
        fallbackExpiresAt: burnLine?.expiresAt ?? this.ledger.expiryFor(after.purchasedAt),
        reason: 'restore',
        sourceKey: `refund:${id}:restore`,
        purchaseId,
        now,
      });
      restored = shares.restorePoints;
    }
    // Taken back after the burned points came back: a member who spent what the sale earned pays it out of them,
    // rather than keeping it as a shortfall while the burned points are credited in full.
    const earnLine = await pointsRepository.findLine(em, `purchase:${purchaseId}:earn`);
    const clawed = await this.ledger.debit(em, {
      memberId: after.memberId,
      points: shares.clawbackPoints,
      upToBalance: true,
      firstFromLedgerId: earnLine?.id,
      reason: 'clawback',
      sourceKey: `refund:${id}:clawback`,
      purchaseId,
      now,
    });
    let couponRestored = false;
    if (shares.full && after.redemptionId) {
      const redemption = await couponsRepository.findRedemption(em, after.redemptionId);
      if (!redemption) throw new Error(`redemption ${after.redemptionId} of purchase ${purchaseId} does not exist`);
      couponRestored = await this.redemptions.reverseWithin(em, redemption, now);
    }
    await em.update(
      PurchaseRefund,
      { id },
      { pointsClawed: clawed.taken, pointsShortfall: shares.clawbackPoints - clawed.taken, pointsRestored: restored, couponRestored },
    );
    await this.events.publish(
      em,
      new SaleRefunded(
        purchaseId,
        id,
        after.memberId,
        channelOf(after.staffOpenid),
        request.amountFen,
        shares.full,
        clawed.taken,
        restored,
        couponRestored,
        now,
      ),
    );
    return id;
  }
}
