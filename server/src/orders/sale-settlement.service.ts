import type { AppConfig } from '@member/config';
import { bonusPermille, pointsEarned, tierForSpend } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { DomainEvents } from '../events/domain-event-bus';
import { SaleSettled, TierChanged } from '../events/domain-events';
import { membersRepository, type MemberRecord } from '../members/members.repository';
import { PointsLedger } from '../points/points-ledger';
import { pointsRepository } from '../points/points.repository';
import { spendInWindow } from '../points/spend';
import { burnSourceKey, channelOf, Purchase, type Sale } from './sale.entities';

/**
 * Settles a sale, whichever way it was paid: the till (PurchasesService) and WeChat Pay completion
 * (PayCompletionService) both end here, inside their own transaction, once the coupon is redeemed. What the
 * sale means for anything else is announced as `SaleSettled` (in the same transaction), not called from here:
 * the points-change message, and any later capability (check-in streak, referral, rules on a purchase),
 * subscribe to it. Tiers only go up here: downgrades are a scheduled review, never the side effect of a sale.
 */
@Injectable()
export class SaleSettlement {
  private readonly logger = new Logger(SaleSettlement.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly ledger: PointsLedger,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Records a sale whose coupon is already redeemed, inside the caller's transaction: burns its points (or
   * links the points an app order already held), earns points on what was paid at the member's tier and
   * bonus, stamps the last purchase and upgrades the tier; then publishes SaleSettled. Answers the purchase id.
   */
  async settleWithin(em: EntityManager, sale: Sale): Promise<number> {
    const { memberId, now } = sale;
    // The member's row lock first, every read after it. The tier comes from the locking read itself (the
    // membership review may have changed it meanwhile). The birthday window and the tier-window spend are plain
    // reads: taken before the lock, on MySQL they would come from a snapshot older than a concurrent purchase of
    // this member that committed while we waited, so two purchases that together reach a tier would each miss
    // it (and a window the perk job just opened would be missed). After the lock, nothing of this member moves.
    const currentTier = await membersRepository.lockTier(em, memberId);
    const member = await membersRepository.find(em, memberId);
    if (!member) throw new Error(`member ${memberId} does not exist`);
    const bonus = bonusPermille({
      memberDay: this.isMemberDay(now),
      birthdayWindow: this.inBirthdayWindow(member, now),
      doublePermille: this.config.points.doublePermille,
    });
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
      memberDiscountFen: sale.memberDiscountFen ?? 0,
      memberPricePermille: sale.memberPricePermille ?? 1000,
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
      await this.ledger.debit(em, {
        memberId,
        points: sale.burn.points,
        reason: 'burn',
        sourceKey: burnSourceKey(id),
        purchaseId: id,
        now,
      });
    } else if (sale.burn.heldPoints > 0) {
      await pointsRepository.linkToPurchase(em, sale.burn.sourceKey, id);
    }
    const line = await this.ledger.credit(em, {
      memberId,
      points: earned,
      reason: 'earn',
      sourceKey: `purchase:${id}:earn`,
      purchaseId: id,
      now,
      expiresAt: this.ledger.expiryFor(now),
    });
    await membersRepository.stampLastPurchase(em, memberId, now);
    const tierAfter = await this.upgradeTier(em, memberId, currentTier, now);
    await this.events.publish(
      em,
      new SaleSettled(
        id,
        memberId,
        channelOf(sale.staffOpenid),
        sale.storeCode,
        sale.grossFen,
        sale.couponId,
        sale.couponDiscountFen,
        pointsBurned,
        sale.paidFen,
        earned,
        line?.balanceAfter ?? null,
        now,
        sale.memberDiscountFen ?? 0,
        tierAfter,
      ),
    );
    return id;
  }

  /** Upgrades apply at once (product rule); a lower spend never lowers the tier here. Answers the tier after. */
  private async upgradeTier(em: EntityManager, memberId: number, currentTier: string, now: Date): Promise<string> {
    const spend = await spendInWindow(em, memberId, now, this.config.tierWindowMonths, this.config.businessCalendar.timeZone);
    const reached = tierForSpend(this.config.tiers, spend);
    if (reached.minSpendFen > this.tierConfig(currentTier).minSpendFen) {
      // Back above the tier while a downgrade grace period was running: that period is over too.
      await membersRepository.setTier(em, memberId, reached.code, null);
      this.logger.log({ memberId, from: currentTier, to: reached.code }, 'tier upgraded');
      await this.events.publish(em, new TierChanged(memberId, currentTier, reached.code, 'sale', now));
      return reached.code;
    }
    return currentTier;
  }

  tierConfig(code: string) {
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
  private inBirthdayWindow(member: Pick<MemberRecord, 'doublePointsUntil'>, now: Date): boolean {
    return member.doublePointsUntil !== null && now.getTime() < member.doublePointsUntil.getTime() + 1000;
  }
}
