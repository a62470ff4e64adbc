import type { AppConfig } from '@member/config';
import {
  bonusPermille,
  formatFen,
  MessageKind,
  checkRefund,
  decideBurn,
  pointsEarned,
  pointsExpiryFor,
  refundShares,
  tierForSpend,
  type ErrorCode,
  type PurchaseView,
  type RecordPurchaseRequest,
  type RefundPurchaseRequest,
  type RefundView,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { requestHash } from '../common/request-hash';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { CouponRedemption, RedemptionOwner } from '../coupons/coupon-redemption.entity';
import { RedemptionService } from '../coupons/redemption.service';
import { forUpdate, sqlDate } from '../database/sql';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { checkMemberCode, type MemberCodeSettings } from '../members/member-code';
import { Member } from '../members/member.entity';
import { PointsLedger } from '../points/points-ledger';
import { PointsLedgerLine, Purchase, PurchaseRefund } from '../points/points.entities';
import { MessagesService } from '../messages/messages.service';
import { spendInWindow } from '../points/spend';

/**
 * Purchases recorded at the till and their refunds. One transaction per purchase: redeem the coupon, burn
 * points, record the purchase, earn points, upgrade the tier. A resent request (same clerk, same key)
 * answers the first result; a refund (same refund number) likewise. Tiers only go up here: downgrades are a
 * scheduled review, never the side effect of a purchase.
 */
@Injectable()
export class PurchasesService {
  private readonly logger = new Logger(PurchasesService.name);
  private readonly codeSettings: MemberCodeSettings;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly ledger: PointsLedger,
    private readonly redemptions: RedemptionService,
    private readonly clock: Clock,
    private readonly messages: MessagesService,
  ) {
    this.codeSettings = { secret: config.security.memberCodeSecret, ...config.memberCode };
  }

  /** `storeCode` is the store the controller took from the clerk's account. */
  async record(request: RecordPurchaseRequest & { storeCode: string }, staffOpenid: string): Promise<PurchaseView> {
    const hash = purchaseHash(request);
    const earlier = await this.purchaseByKey(staffOpenid, request.idempotencyKey);
    if (earlier) return this.replayPurchase(earlier, request, hash);

    let purchaseId: number;
    try {
      purchaseId = await this.recordOnce(request, staffOpenid, hash);
    } catch (error) {
      // The same purchase sent again while the first was under way: its checks fail (coupon taken, points
      // spent: it waited on the member's row lock until the first committed) or its insert hits the key.
      // Every resend answers the first result.
      if (error instanceof DomainError || isUniqueViolation(error)) {
        const winner = await this.purchaseByKey(staffOpenid, request.idempotencyKey);
        if (winner) return this.replayPurchase(winner, request, hash);
      }
      throw error;
    }
    const purchase = await this.dataSource.getRepository(Purchase).findOneByOrFail({ id: purchaseId });
    this.logger.log({ purchaseId, memberId: purchase.memberId, paidFen: purchase.paidFen, pointsEarned: purchase.pointsEarned }, 'purchase recorded');
    return this.view(purchase);
  }

  private async recordOnce(request: RecordPurchaseRequest & { storeCode: string }, staffOpenid: string, hash: string): Promise<number> {
    const now = this.clock.now();
    const check = checkMemberCode(this.codeSettings, request.memberCode, now);
    if (!check.ok) throw new DomainError(check.reason === 'EXPIRED' ? 'MEMBER_CODE_EXPIRED' : 'MEMBER_CODE_INVALID');
    const member = await this.dataSource.getRepository(Member).findOneBy({ id: check.memberId });
    if (!member?.joinedAt) throw new DomainError('MEMBER_NOT_FOUND');

    // The coupon is checked before the transaction (reads only) and redeemed inside it, conditionally.
    const preview = request.couponCode ? await this.redemptions.preview({ code: request.couponCode, orderAmountFen: request.amountFen, memberId: member.id }) : null;
    if (preview && !preview.applicable) throw new DomainError(preview.reason as ErrorCode);

    return this.transactions.run(async (em) => {
      const couponDiscountFen = preview?.discountFen ?? 0;
      const dueFen = request.amountFen - couponDiscountFen;
      const balance = await this.ledger.lockBalance(em, member.id);
      const burn = decideBurn(request.pointsToBurn ?? 0, dueFen, balance, { minPoints: this.config.points.minBurnPoints, maxPermilleOfOrder: this.config.points.maxBurnPermilleOfOrder });
      if (!burn.ok) throw new DomainError(burn.code);
      const paidFen = dueFen - burn.valueFen;

      const redemptionId = preview
        ? await this.redemptions.redeemWithin(em, preview, { orderAmountFen: request.amountFen, idempotencyKey: `purchase-${request.idempotencyKey}`.slice(0, 64) }, staffOpenid, now, { owner: RedemptionOwner.Purchase })
        : null;
      return this.settleWithin(em, {
        memberId: member.id,
        staffOpenid,
        idempotencyKey: request.idempotencyKey,
        requestHash: hash,
        storeCode: request.storeCode,
        grossFen: request.amountFen,
        couponId: preview?.coupon.id ?? null,
        redemptionId,
        couponDiscountFen,
        paidFen,
        burn: { points: burn.points },
        now,
      });
    });
  }

  private purchaseByKey(staffOpenid: string, idempotencyKey: string): Promise<Purchase | null> {
    return this.dataSource.getRepository(Purchase).findOneBy({ staffOpenid, idempotencyKey });
  }

  /** The first purchase under this key, answered again; refused when the key was used for another sale. */
  private async replayPurchase(purchase: Purchase, request: RecordPurchaseRequest, hash: string): Promise<PurchaseView> {
    if (purchase.requestHash !== null && purchase.requestHash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    // The member code rotates, so it is not in the hash; a still-valid code of another member is another sale.
    const check = checkMemberCode(this.codeSettings, request.memberCode, this.clock.now());
    if (check.ok && check.memberId !== purchase.memberId) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return this.view(purchase);
  }

  /**
   * Records a purchase whose coupon is already redeemed, inside the caller's transaction: burns its points (or
   * links the points an app order already held), earns points on what was paid at the member's tier and
   * bonus, stamps the last purchase and upgrades the tier. Shared by the till and WeChat Pay completion.
   */
  async settleWithin(em: EntityManager, sale: Sale): Promise<number> {
    const { memberId, now } = sale;
    const member = await em.findOneByOrFail(Member, { id: memberId });
    const bonus = bonusPermille({ memberDay: this.isMemberDay(now), birthdayWindow: this.inBirthdayWindow(member, now), doublePermille: this.config.points.doublePermille });
    // The tier as it is now, under the row lock: one read before the transaction may be stale (the
    // membership review may have changed it meanwhile), and both the multiplier and the upgrade depend on it.
    const [locked]: Array<{ tier: string }> = await em.query(`SELECT tier FROM member WHERE id = ?${forUpdate(em)}`, [memberId]);
    const currentTier = locked.tier;
    const tier = this.tierConfig(currentTier);
    const earned = pointsEarned({ paidFen: sale.paidFen, multiplierPermille: tier.pointsMultiplierPermille, bonusPermille: bonus });
    const pointsBurned = 'points' in sale.burn ? sale.burn.points : sale.burn.heldPoints;
    const inserted = await em.insert(Purchase, {
      memberId,
      staffOpenid: sale.staffOpenid,
      idempotencyKey: sale.idempotencyKey,
      requestHash: sale.requestHash ?? null,
      storeCode: sale.storeCode,
      grossFen: sale.grossFen,
      couponId: sale.couponId,
      redemptionId: sale.redemptionId,
      couponDiscountFen: sale.couponDiscountFen,
      pointsBurned,
      paidFen: sale.paidFen,
      refundedFen: 0,
      pointsEarned: earned,
      bonusPermille: bonus,
      purchasedAt: now,
    });
    const id = inserted.identifiers[0].id as number;
    if ('points' in sale.burn) {
      await this.ledger.debit(em, { memberId, points: sale.burn.points, reason: 'burn', sourceKey: burnSourceKey(id), purchaseId: id, now });
    } else if (sale.burn.heldPoints > 0) {
      await em.update(PointsLedgerLine, { sourceKey: sale.burn.sourceKey }, { purchaseId: id });
    }
    const line = await this.ledger.credit(em, { memberId, points: earned, reason: 'earn', sourceKey: `purchase:${id}:earn`, purchaseId: id, now, expiresAt: this.expiryFor(now) });
    if (line) {
      // Into the outbox with the purchase (sent after commit by the sender), if the member asked for it.
      await this.messages.queueIfReachable(em, {
        memberId,
        kind: MessageKind.PointsChange,
        vars: { delta: earned, balance: line.balanceAfter, reason: `消费${formatFen(sale.paidFen, { keepCents: true })}获得积分` },
        dedupeKey: `points:purchase:${id}`,
      });
    }
    await em.query('UPDATE member SET last_purchase_at = ? WHERE id = ?', [sqlDate(em, now), memberId]);
    await this.upgradeTier(em, memberId, currentTier, now);
    return id;
  }

  /**
   * A refund at the till. A sale paid with WeChat Pay is refused here: its money goes back through WeChat Pay
   * (`PaymentsService.refund`), so one sale has one refund ceiling whatever the route. The same refund number
   * again answers the first refund, even when sent many times at once; with another amount it is refused.
   */
  async refund(purchaseId: number, request: RefundPurchaseRequest, staffOpenid: string): Promise<RefundView> {
    const purchase = await this.dataSource.getRepository(Purchase).findOneBy({ id: purchaseId });
    if (!purchase) throw new DomainError('PURCHASE_NOT_FOUND');
    const earlier = await this.refundByNo(purchaseId, request.refundNo);
    if (earlier) return this.replayRefund(earlier, request);
    if (purchase.staffOpenid === WECHAT_PAY_CHANNEL) throw new DomainError('REFUND_VIA_WECHAT_PAY');
    const invalid = checkRefund(purchase.paidFen, 0, request.amountFen);
    if (invalid) throw new DomainError(invalid);

    const now = this.clock.now();
    let refundId: number;
    try {
      refundId = await this.transactions.run((em) => this.refundWithin(em, purchaseId, request, staffOpenid, now));
    } catch (error) {
      // A resend racing the first: it waited on the purchase row and then found the ceiling reached, or hit the
      // refund number's unique key. Either way the first committed; answer it.
      if (error instanceof DomainError || isUniqueViolation(error)) {
        const winner = await this.refundByNo(purchaseId, request.refundNo);
        if (winner) return this.replayRefund(winner, request);
      }
      throw error;
    }
    const refund = await this.dataSource.getRepository(PurchaseRefund).findOneByOrFail({ id: refundId });
    this.logger.log({ purchaseId, refundId, amountFen: refund.amountFen, pointsClawed: refund.pointsClawed, pointsShortfall: refund.pointsShortfall }, 'purchase refunded');
    return this.refundView(refund);
  }

  private refundByNo(purchaseId: number, refundNo: string): Promise<PurchaseRefund | null> {
    return this.dataSource.getRepository(PurchaseRefund).findOneBy({ purchaseId, refundNo });
  }

  private replayRefund(refund: PurchaseRefund, request: RefundPurchaseRequest): Promise<RefundView> {
    if (refund.amountFen !== request.amountFen) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return this.refundView(refund);
  }

  /**
   * A refund's effects inside the caller's transaction: claws back the share of earned points, gives back the
   * share of burned points, and the coupon on the full refund. Refuses a total above what was paid.
   */
  async refundWithin(em: EntityManager, purchaseId: number, request: RefundPurchaseRequest, staffOpenid: string, now: Date, options: { viaWechatPay?: boolean } = {}): Promise<number> {
    // Concurrent refunds of one purchase: the conditional UPDATE admits them only while the total stays
    // within what was paid, and locks the row, so each sees the refunds before it. A sale paid with WeChat Pay
    // is refunded only by WeChat Pay's confirmation (`viaWechatPay`), never by a clerk at the till; a till
    // sale never by WeChat Pay.
    const viaWechatPay = options.viaWechatPay === true;
    const taken = await em
      .createQueryBuilder()
      .update(Purchase)
      .set({ refundedFen: () => 'refunded_fen + :amount' })
      .where(`id = :id AND refunded_fen + :amount <= paid_fen AND staff_openid ${viaWechatPay ? '=' : '<>'} :channel`, { id: purchaseId, amount: request.amountFen, channel: WECHAT_PAY_CHANNEL })
      .execute();
    if (taken.affected !== 1) {
      const purchase = await em.findOneBy(Purchase, { id: purchaseId });
      if (purchase && (purchase.staffOpenid === WECHAT_PAY_CHANNEL) !== viaWechatPay) throw new DomainError(viaWechatPay ? 'PURCHASE_NOT_FOUND' : 'REFUND_VIA_WECHAT_PAY');
      throw new DomainError('REFUND_EXCEEDS_PAID');
    }
    const after = await em.findOneByOrFail(Purchase, { id: purchaseId });
    const refundedBeforeFen = after.refundedFen - request.amountFen;
    const shares = refundShares({ paidFen: after.paidFen, earnedPoints: after.pointsEarned, burnedPoints: after.pointsBurned, refundedBeforeFen, refundFen: request.amountFen });

    const inserted = await em.insert(PurchaseRefund, {
      purchaseId,
      refundNo: request.refundNo,
      amountFen: request.amountFen,
      pointsClawed: 0,
      pointsShortfall: 0,
      pointsRestored: 0,
      couponRestored: false,
      staffOpenid,
      refundedAt: now,
    });
    const id = inserted.identifiers[0].id as number;
    const earnLine = await em.findOneBy(PointsLedgerLine, { sourceKey: `purchase:${purchaseId}:earn` });
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
    let restored = 0;
    if (shares.restorePoints > 0) {
      const burnLine = await em.findOneBy(PointsLedgerLine, { sourceKey: after.staffOpenid === WECHAT_PAY_CHANNEL ? payOrderBurnKey(after.idempotencyKey) : burnSourceKey(purchaseId) });
      // Given-back points keep the expiry of the points that were burned (they do not become younger).
      const expiresAt = burnLine?.expiresAt ?? this.expiryFor(after.purchasedAt);
      await this.ledger.credit(em, { memberId: after.memberId, points: shares.restorePoints, reason: 'restore', sourceKey: `refund:${id}:restore`, purchaseId, now, expiresAt });
      restored = shares.restorePoints;
    }
    let couponRestored = false;
    if (shares.full && after.redemptionId) {
      const redemption = await em.findOneByOrFail(CouponRedemption, { id: after.redemptionId });
      couponRestored = await this.redemptions.reverseWithin(em, redemption, now);
    }
    await em.update(PurchaseRefund, { id }, { pointsClawed: clawed.taken, pointsShortfall: shares.clawbackPoints - clawed.taken, pointsRestored: restored, couponRestored });
    return id;
  }

  async get(purchaseId: number): Promise<PurchaseView> {
    const purchase = await this.dataSource.getRepository(Purchase).findOneBy({ id: purchaseId });
    if (!purchase) throw new DomainError('PURCHASE_NOT_FOUND');
    return this.view(purchase);
  }

  /** Upgrades apply at once (product rule); a lower spend never lowers the tier here. */
  private async upgradeTier(em: EntityManager, memberId: number, currentTier: string, now: Date): Promise<void> {
    const spend = await spendInWindow(em, memberId, now, this.config.tierWindowMonths, this.config.businessCalendar.timeZone);
    const reached = tierForSpend(this.config.tiers, spend);
    if (reached.minSpendFen > this.tierConfig(currentTier).minSpendFen) {
      // Back above the tier while a downgrade grace period was running: that period is over too.
      await em.query('UPDATE member SET tier = ?, tier_below_since = NULL WHERE id = ?', [reached.code, memberId]);
      this.logger.log({ memberId, from: currentTier, to: reached.code }, 'tier upgraded');
    }
  }


  private tierConfig(code: string) {
    return this.config.tiers.find((t) => t.code === code) ?? [...this.config.tiers].sort((a, b) => a.minSpendFen - b.minSpendFen)[0];
  }

  private isMemberDay(now: Date): boolean {
    const day = DateTime.fromJSDate(now, { zone: this.config.businessCalendar.timeZone }).day;
    return this.config.points.memberDaysOfMonth.includes(day);
  }

  /**
   * Birthday double points: the birthday perk job switches them on per member through the last second of the
   * window (stored at second precision, so through the whole of that second, like a coupon's validity).
   */
  private inBirthdayWindow(member: Member, now: Date): boolean {
    return member.doublePointsUntil !== null && now.getTime() < member.doublePointsUntil.getTime() + 1000;
  }

  /** When points credited at `earnedAt` expire: the end of the year `expiryYearsAfter` after, on the business calendar. */
  expiryFor(earnedAt: Date): Date {
    const offset = DateTime.fromJSDate(earnedAt, { zone: this.config.businessCalendar.timeZone }).offset;
    return pointsExpiryFor(earnedAt, offset, this.config.points.expiryYearsAfter);
  }

  private async view(purchase: Purchase): Promise<PurchaseView> {
    const member = await this.dataSource.getRepository(Member).findOneByOrFail({ id: purchase.memberId });
    const tier = this.tierConfig(member.tier);
    return {
      id: purchase.id,
      memberId: purchase.memberId,
      storeCode: purchase.storeCode,
      grossFen: purchase.grossFen,
      couponDiscountFen: purchase.couponDiscountFen,
      couponId: purchase.couponId,
      pointsBurned: purchase.pointsBurned,
      paidFen: purchase.paidFen,
      refundedFen: purchase.refundedFen,
      pointsEarned: purchase.pointsEarned,
      bonusPermille: purchase.bonusPermille,
      purchasedAt: purchase.purchasedAt.toISOString(),
      member: {
        pointsBalance: member.pointsBalance,
        tier: tier.code,
        tierName: tier.name,
        spendFen: await spendInWindow(this.dataSource.manager, member.id, this.clock.now(), this.config.tierWindowMonths, this.config.businessCalendar.timeZone),
      },
    };
  }

  private async refundView(refund: PurchaseRefund): Promise<RefundView> {
    return {
      id: refund.id,
      purchaseId: refund.purchaseId,
      amountFen: refund.amountFen,
      pointsClawed: refund.pointsClawed,
      pointsShortfall: refund.pointsShortfall,
      pointsRestored: refund.pointsRestored,
      couponRestored: Boolean(refund.couponRestored),
      refundedAt: refund.refundedAt.toISOString(),
      purchase: await this.get(refund.purchaseId),
    };
  }
}

/** The "clerk" of purchases paid in the app with WeChat Pay; their idempotency key is the order's out_trade_no. */
export const WECHAT_PAY_CHANNEL = 'wechat-pay';

/** The ledger line of points an app order holds from checkout until it is paid or closed. */
export function payOrderBurnKey(outTradeNo: string): string {
  return `payorder:${outTradeNo}:burn`;
}

function burnSourceKey(purchaseId: number): string {
  return `purchase:${purchaseId}:burn`;
}

export interface Sale {
  memberId: number;
  staffOpenid: string;
  idempotencyKey: string;
  /** The till's request, hashed (app orders keep theirs on the order). */
  requestHash?: string | null;
  storeCode: string;
  grossFen: number;
  couponId: number | null;
  redemptionId: number | null;
  couponDiscountFen: number;
  paidFen: number;
  /** Points to burn now (the till), or points an app order already holds under `sourceKey`. */
  burn: { points: number } | { heldPoints: number; sourceKey: string };
  now: Date;
}

/** A till purchase's payload (the member code rotates, so it is compared apart). */
function purchaseHash(request: RecordPurchaseRequest): string {
  return requestHash({ amountFen: request.amountFen, storeCode: request.storeCode, couponCode: request.couponCode?.replace(/[\s-]/g, '') ?? null, pointsToBurn: request.pointsToBurn ?? 0 });
}
