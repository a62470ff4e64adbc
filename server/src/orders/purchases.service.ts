import type { AppConfig } from '@member/config';
import {
  checkRefund,
  decideBurn,
  maxBurnablePoints,
  priceOrder,
  type CouponPreview,
  type ErrorCode,
  type PurchaseReward,
  type PurchaseView,
  type RecordPurchaseRequest,
  type RefundPurchaseRequest,
  type RefundView,
  type TillQuote,
  type TillQuoteRequest,
} from '@member/shared';
import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { requestHash } from '../common/request-hash';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { RedemptionOwner } from '../coupons/coupons.repository';
import { RedemptionService } from '../coupons/redemption.service';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { checkMemberCode, type MemberCodeSettings } from '../members/member-code';
import { membersRepository, type MemberRecord } from '../members/members.repository';
import { PointsLedger } from '../points/points-ledger';
import { purchaseRulesRepository } from '../purchase-rules/purchase-rules.repository';
import { sqlDate } from '../database/sql';
import { spendInWindow, spendWindowStart } from '../points/spend';
import { SaleRefunds } from './sale-refunds.service';
import { SaleSettlement } from './sale-settlement.service';
import { Purchase, PurchaseRefund, WECHAT_PAY_CHANNEL } from './sale.entities';

/**
 * The key of the redemption a till purchase makes of its coupon: `purchase-<the purchase's key>` while that fits
 * the column (64 characters), a digest of the key beyond that. Cutting it to 64 made two purchase keys of 56-64
 * characters that share their first 55 one redemption key, and the second sale failed on its unique index. `=`
 * is outside the keys a till may send ([\w-]), so a digest never meets a clerk's own key.
 */
export function redemptionKeyOfPurchase(purchaseKey: string): string {
  const plain = `purchase-${purchaseKey}`;
  return plain.length <= 64 ? plain : `purchase=${createHash('sha256').update(purchaseKey, 'utf8').digest('base64url')}`;
}

/**
 * Purchases recorded at the till and their refunds. One transaction per purchase: check the member code, read
 * the tier under the member's lock, price the order (member price, coupon: priceOrder), redeem the coupon if it
 * is used, decide the points burn, then settle the sale (SaleSettlement). A resent request (same
 * clerk, same key) answers the first result; a refund (same refund number) likewise, its effects applied by
 * SaleRefunds under the one refund ceiling.
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
    private readonly settlement: SaleSettlement,
    private readonly saleRefunds: SaleRefunds,
  ) {
    this.codeSettings = { secret: config.security.memberCodeSecret, ...config.memberCode };
  }

  /**
   * `storeCode` is the store the controller took from the clerk's account. The member is the one the member code
   * names, or `identifiedMemberId` when the controller already knows them from a till ticket.
   */
  async record(
    request: RecordPurchaseRequest & { storeCode: string },
    staffOpenid: string,
    identifiedMemberId?: number,
  ): Promise<PurchaseView> {
    const hash = purchaseHash(request);
    const earlier = await this.purchaseByKey(staffOpenid, request.idempotencyKey);
    if (earlier) return this.replayPurchase(earlier, request, hash, identifiedMemberId);

    let purchaseId: number;
    try {
      purchaseId = await this.recordOnce(request, staffOpenid, hash, identifiedMemberId);
    } catch (error) {
      // The same purchase sent again while the first was under way: its checks fail (coupon taken, points
      // spent: it waited on the member's row lock until the first committed) or its insert hits the key.
      // Every resend answers the first result.
      if (error instanceof DomainError || isUniqueViolation(error)) {
        const winner = await this.purchaseByKey(staffOpenid, request.idempotencyKey);
        if (winner) return this.replayPurchase(winner, request, hash, identifiedMemberId);
      }
      throw error;
    }
    const purchase = await this.dataSource.getRepository(Purchase).findOneByOrFail({ id: purchaseId });
    this.logger.log(
      { purchaseId, memberId: purchase.memberId, paidFen: purchase.paidFen, pointsEarned: purchase.pointsEarned },
      'purchase recorded',
    );
    return this.view(purchase);
  }

  private async recordOnce(
    request: RecordPurchaseRequest & { storeCode: string },
    staffOpenid: string,
    hash: string,
    identifiedMemberId: number | undefined,
  ): Promise<number> {
    const now = this.clock.now();
    const member = await membersRepository.find(this.dataSource.manager, identifiedMemberId ?? this.memberOfCode(request.memberCode, now));
    if (!member?.joinedAt) throw new DomainError('MEMBER_NOT_FOUND');

    // The coupon is checked before the transaction (reads only) and redeemed inside it, conditionally.
    const preview = request.couponCode
      ? await this.redemptions.preview({ code: request.couponCode, orderAmountFen: request.amountFen, memberId: member.id })
      : null;
    if (preview && !preview.applicable) throw new DomainError(preview.reason as ErrorCode);

    return this.transactions.run(async (em) => {
      // The tier is read under the member's row lock: the membership review or another sale may have changed it.
      // The row lock comes first (lockSpendableBalance, by the primary key): lockTier's read may go through a covering
      // secondary index, and taking that first would order its locks against the review's UPDATE of the row.
      const balance = await this.ledger.lockSpendableBalance(em, member.id, now);
      const tier = this.settlement.tierConfig(await membersRepository.lockTier(em, member.id));
      const { price, burn } = this.price(request, tier.memberPricePermille, preview, balance);
      const paidFen = price.dueFen - burn.valueFen;
      const coupon = price.couponApplied ? preview : null;

      const redemptionId = coupon
        ? await this.redemptions.redeemWithin(
            em,
            { ...coupon, discountFen: price.couponDiscountFen, payableFen: price.couponBaseFen - price.couponDiscountFen },
            { orderAmountFen: price.couponBaseFen, idempotencyKey: redemptionKeyOfPurchase(request.idempotencyKey) },
            staffOpenid,
            now,
            { owner: RedemptionOwner.Purchase, storeCode: request.storeCode },
          )
        : null;
      return this.settlement.settleWithin(em, {
        memberId: member.id,
        staffOpenid,
        idempotencyKey: request.idempotencyKey,
        requestHash: hash,
        storeCode: request.storeCode,
        grossFen: request.amountFen,
        memberDiscountFen: price.memberDiscountFen,
        memberPricePermille: price.memberPricePermille,
        couponId: coupon?.coupon.id ?? null,
        redemptionId,
        couponDiscountFen: price.couponDiscountFen,
        paidFen,
        burn: { points: burn.points },
        now,
      });
    });
  }

  /**
   * The till's price: order amount → the tier's member price → the coupon (priceOrder: stacking, the better of
   * the two when it does not stack) → the points rule on what is left. Throws the code recording would refuse with.
   */
  private price(request: TillQuoteRequest, memberPricePermille: number, preview: CouponPreview | null, balance: number) {
    const price = priceOrder({ grossFen: request.amountFen, memberPricePermille, coupon: preview?.coupon.terms ?? null });
    if (!price.ok) throw new DomainError(price.code);
    const burn = decideBurn(request.pointsToBurn ?? 0, price.dueFen, balance, this.burnRule());
    if (!burn.ok) throw new DomainError(burn.code);
    return { price, burn };
  }

  private burnRule() {
    return { minPoints: this.config.points.minBurnPoints, maxPermilleOfOrder: this.config.points.maxBurnPermilleOfOrder };
  }

  /**
   * What recording this purchase would charge, without recording it: the coupon previewed and the points rule
   * decided exactly as recordOnce does (the balance read, not locked: the purchase re-checks under its lock).
   */
  async quote(request: TillQuoteRequest & { storeCode: string }, identifiedMemberId?: number): Promise<TillQuote> {
    const now = this.clock.now();
    const member = await membersRepository.find(this.dataSource.manager, identifiedMemberId ?? this.memberOfCode(request.memberCode, now));
    if (!member?.joinedAt) throw new DomainError('MEMBER_NOT_FOUND');
    const preview = request.couponCode
      ? await this.redemptions.preview({ code: request.couponCode, orderAmountFen: request.amountFen, memberId: member.id })
      : null;
    if (preview && !preview.applicable) throw new DomainError(preview.reason as ErrorCode);
    const tier = this.settlement.tierConfig(member.tier);
    const { price, burn } = this.price(request, tier.memberPricePermille, preview, member.pointsBalance);
    return {
      memberId: member.id,
      storeCode: request.storeCode,
      grossFen: request.amountFen,
      tierName: tier.name,
      memberPricePermille: price.memberPricePermille,
      memberDiscountFen: price.memberDiscountFen,
      couponDiscountFen: price.couponDiscountFen,
      couponName: preview?.coupon.name ?? null,
      priceBasis: price.priceBasis,
      memberPriceWaived: price.memberPriceWaived,
      couponSetAside: price.couponSetAside,
      pointsBurned: burn.points,
      pointsValueFen: burn.valueFen,
      payableFen: price.dueFen - burn.valueFen,
      pointsBalance: member.pointsBalance,
      maxBurnPoints: maxBurnablePoints(price.dueFen, member.pointsBalance, this.burnRule()),
    };
  }

  private memberOfCode(memberCode: string | undefined, now: Date): number {
    const check = checkMemberCode(this.codeSettings, memberCode ?? '', now);
    if (!check.ok) throw new DomainError(check.reason === 'EXPIRED' ? 'MEMBER_CODE_EXPIRED' : 'MEMBER_CODE_INVALID');
    return check.memberId;
  }

  private purchaseByKey(staffOpenid: string, idempotencyKey: string): Promise<Purchase | null> {
    return this.dataSource.getRepository(Purchase).findOneBy({ staffOpenid, idempotencyKey });
  }

  /** The first purchase under this key, answered again; refused when the key was used for another sale. */
  private async replayPurchase(
    purchase: Purchase,
    request: RecordPurchaseRequest,
    hash: string,
    identifiedMemberId: number | undefined,
  ): Promise<PurchaseView> {
    if (purchase.requestHash !== null && purchase.requestHash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    // The member code (or ticket) changes, so it is not in the hash; a still-valid one of another member is another sale.
    if (identifiedMemberId !== undefined && identifiedMemberId !== purchase.memberId) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    const check = checkMemberCode(this.codeSettings, request.memberCode ?? '', this.clock.now());
    if (check.ok && check.memberId !== purchase.memberId) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return this.view(purchase);
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
      refundId = await this.transactions.run((em) => this.saleRefunds.refundWithin(em, purchaseId, request, staffOpenid, now));
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
    this.logger.log(
      { purchaseId, refundId, amountFen: refund.amountFen, pointsClawed: refund.pointsClawed, pointsShortfall: refund.pointsShortfall },
      'purchase refunded',
    );
    return this.refundView(refund);
  }

  private refundByNo(purchaseId: number, refundNo: string): Promise<PurchaseRefund | null> {
    return this.dataSource.getRepository(PurchaseRefund).findOneBy({ purchaseId, refundNo });
  }

  private replayRefund(refund: PurchaseRefund, request: RefundPurchaseRequest): Promise<RefundView> {
    if (refund.amountFen !== request.amountFen) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return this.refundView(refund);
  }

  async get(purchaseId: number): Promise<PurchaseView> {
    const purchase = await this.dataSource.getRepository(Purchase).findOneBy({ id: purchaseId });
    if (!purchase) throw new DomainError('PURCHASE_NOT_FOUND');
    return this.view(purchase);
  }

  /** @deprecated the rule is the points module's: PointsLedger.expiryFor (kept while campaigns still call it here). */
  expiryFor(earnedAt: Date): Date {
    return this.ledger.expiryFor(earnedAt);
  }

  /** Many purchases' views in three queries (purchases, their members, the members' tier-window spend). */
  async getMany(purchaseIds: number[]): Promise<Map<number, PurchaseView>> {
    const views = new Map<number, PurchaseView>();
    if (purchaseIds.length === 0) return views;
    const purchases = await this.dataSource.getRepository(Purchase).findBy({ id: In(purchaseIds) });
    const memberIds = [...new Set(purchases.map((p) => p.memberId))];
    if (memberIds.length === 0) return views;
    const members = await membersRepository.findMany(this.dataSource.manager, memberIds);
    const since = spendWindowStart(this.clock.now(), this.config.tierWindowMonths, this.config.businessCalendar.timeZone);
    const rows: Array<{ memberId: number | string; spend: number | string | null }> = await this.dataSource.query(
      `SELECT member_id AS memberId, COALESCE(SUM(paid_fen - refunded_fen), 0) AS spend FROM purchase
        WHERE member_id IN (${memberIds.map(() => '?').join(', ')}) AND purchased_at > ? GROUP BY member_id`,
      [...memberIds, sqlDate(this.dataSource.manager, since)],
    );
    const spend = new Map(rows.map((r) => [Number(r.memberId), Number(r.spend ?? 0)]));
    const rewards = await purchaseRulesRepository.rewardsOf(this.dataSource.manager, purchaseIds);
    for (const purchase of purchases)
      views.set(
        purchase.id,
        this.viewOf(purchase, members.get(purchase.memberId)!, spend.get(purchase.memberId) ?? 0, rewards.get(purchase.id) ?? []),
      );
    return views;
  }

  private async view(purchase: Purchase): Promise<PurchaseView> {
    const member = await membersRepository.find(this.dataSource.manager, purchase.memberId);
    if (!member) throw new Error(`member ${purchase.memberId} of purchase ${purchase.id} does not exist`);
    return this.viewOf(
      purchase,
      member,
      await spendInWindow(
        this.dataSource.manager,
        member.id,
        this.clock.now(),
        this.config.tierWindowMonths,
        this.config.businessCalendar.timeZone,
      ),
      (await purchaseRulesRepository.rewardsOf(this.dataSource.manager, [purchase.id])).get(purchase.id) ?? [],
    );
  }

  private viewOf(purchase: Purchase, member: MemberRecord, spendFen: number, rewards: PurchaseReward[]): PurchaseView {
    const tier = this.settlement.tierConfig(member.tier);
    return {
      id: purchase.id,
      memberId: purchase.memberId,
      storeCode: purchase.storeCode,
      grossFen: purchase.grossFen,
      memberDiscountFen: purchase.memberDiscountFen,
      memberPricePermille: purchase.memberPricePermille,
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
        spendFen,
      },
      rewards,
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
      grossShareFen: refund.grossShareFen,
      memberDiscountShareFen: refund.memberDiscountShareFen,
      couponDiscountShareFen: refund.couponDiscountShareFen,
      refundedAt: refund.refundedAt.toISOString(),
      purchase: await this.get(refund.purchaseId),
    };
  }
}

export { payOrderBurnKey, WECHAT_PAY_CHANNEL, type Sale } from './sale.entities';

/** A till purchase's payload (the member code rotates, so it is compared apart). */
function purchaseHash(request: RecordPurchaseRequest): string {
  return requestHash({
    amountFen: request.amountFen,
    storeCode: request.storeCode,
    couponCode: request.couponCode?.replace(/[\s-]/g, '') ?? null,
    pointsToBurn: request.pointsToBurn ?? 0,
  });
}
