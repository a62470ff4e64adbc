import { Injectable, Logger } from '@nestjs/common';
import { IsNull, type EntityManager } from 'typeorm';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { couponsRepository } from '../coupons/coupons.repository';
import { execute, sqlDate } from '../database/dialect';
import { PointsLedger } from '../points/points-ledger';
import { pointsRepository } from '../points/points.repository';
import { PurchaseRule, PurchaseRuleGrant, PurchaseRuleGrantCoupon } from './purchase-rule.entities';
import { purchaseRulesRepository } from './purchase-rules.repository';
import { rewardPointsKey } from './reward-keys';

/**
 * Takes a purchase's rewards back when the sale is refunded in full (inside the refund's transaction), for rules
 * that say so: the reward points clawed back with the ledger's rules (as far as the balance allows, reward lot
 * first; what the member already spent is recorded as a shortfall, like a sale refund's), unused reward coupons
 * voided by the coupons module, used ones recorded as a loss (their discount). Once per grant: the grant is
 * claimed by a conditional UPDATE of its taken_back_at, so a replayed refund event changes nothing. The rule's
 * counters keep counting the grant: budget spent stays spent.
 */
@Injectable()
export class RewardTakeBack {
  private readonly logger = new Logger(RewardTakeBack.name);

  constructor(
    private readonly issuer: CouponIssuer,
    private readonly ledger: PointsLedger,
  ) {}

  /**
   * A reward coupon of a grant already taken back came back to the member: its sale was refunded, or the unpaid
   * app order that held it (stored as redeemed, so counted as a loss at the take-back) closed. It is voided now,
   * and the loss it was counted as is no longer one.
   */
  async couponCameBack(em: EntityManager, couponId: number, redemptionId: number, now: Date): Promise<void> {
    const link = await em.findOneBy(PurchaseRuleGrantCoupon, { couponId });
    if (!link) return;
    const grant = await em.findOneBy(PurchaseRuleGrant, { id: link.grantId });
    if (!grant?.takenBackAt || !(await this.issuer.voidUnused(em, couponId, now))) return;
    const discount = (await couponsRepository.findRedemption(em, redemptionId))?.discountFen ?? 0;
    await execute(
      em,
      'UPDATE purchase_rule_grant SET coupons_voided = coupons_voided + 1, loss_fen = loss_fen - ? WHERE id = ? AND loss_fen >= ?',
      [discount, grant.id, discount],
    );
    this.logger.log({ grantId: grant.id, couponId, discount }, 'reward coupon came back after its take-back: voided');
  }

  async takeBackWithin(em: EntityManager, purchaseId: number, now: Date): Promise<void> {
    const grants = await em.findBy(PurchaseRuleGrant, { purchaseId, takenBackAt: IsNull() });
    for (const grant of grants) {
      const rule = await em.findOneBy(PurchaseRule, { id: grant.ruleId });
      if (!rule?.takeBack) continue;
      const claimed = await execute(em, 'UPDATE purchase_rule_grant SET taken_back_at = ? WHERE id = ? AND taken_back_at IS NULL', [
        sqlDate(em, now),
        grant.id,
      ]);
      if (claimed !== 1) continue;
      const pointsLine = await pointsRepository.findLine(em, rewardPointsKey(grant.id));
      const clawed = await this.ledger.debit(em, {
        memberId: grant.memberId,
        points: grant.points,
        upToBalance: true,
        firstFromLedgerId: pointsLine?.id,
        reason: 'clawback',
        sourceKey: `rule-grant:${grant.id}:clawback`,
        purchaseId,
        now,
      });
      const couponIds = (await purchaseRulesRepository.grantCouponIds(em, [grant.id])).map((c) => c.couponId);
      let voided = 0;
      const used: number[] = [];
      for (const couponId of couponIds) {
        if (await this.issuer.voidUnused(em, couponId, now)) voided++;
        else used.push(couponId);
      }
      const discounts = await couponsRepository.redeemedDiscounts(em, used);
      const lossFen = [...discounts.values()].reduce((sum, fen) => sum + fen, 0);
      await em.update(
        PurchaseRuleGrant,
        { id: grant.id },
        { pointsClawed: clawed.taken, pointsShortfall: grant.points - clawed.taken, couponsVoided: voided, lossFen },
      );
      this.logger.log({ grantId: grant.id, purchaseId, pointsClawed: clawed.taken, voided, lossFen }, 'purchase reward taken back');
    }
  }
}
