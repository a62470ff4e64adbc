import type { AppConfig } from '@member/config';
import { fireInOrder, matchingRules, rewardPoints, type SaleFacts } from '@member/shared';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { businessDate } from '../common/clock';
import { newCouponCode, CouponIssuer } from '../coupons/coupon-issuer';
import { couponValidity } from '../coupons/coupon-rules';
import { validityOf } from '../coupons/coupon.views';
import { couponsRepository } from '../coupons/coupons.repository';
import { execute, forUpdate } from '../database/dialect';
import { isUniqueViolation } from '../database/transaction-runner';
import { DomainEvents } from '../events/domain-event-bus';
import { CouponRedemptionReversed, PurchaseRewarded, SaleRefunded, SaleSettled } from '../events/domain-events';
import { membersRepository } from '../members/members.repository';
import { PointsLedger } from '../points/points-ledger';
import { PurchaseRuleGrant, PurchaseRuleGrantCoupon } from './purchase-rule.entities';
import { forMatching, purchaseRulesRepository, type PurchaseRuleRecord } from './purchase-rules.repository';
import { rewardCouponKey, rewardCouponSeq, rewardPointsKey } from './reward-keys';
import { RewardTakeBack } from './reward-take-back';

/** Whether the rule has any budget: only then are its counters kept, by a conditional UPDATE on its row. */
export function hasBudget(rule: Pick<PurchaseRuleRecord, 'maxGrants' | 'maxPoints' | 'maxCoupons'>): boolean {
  return rule.maxGrants !== null || rule.maxPoints !== null || rule.maxCoupons !== null;
}

function withinBudget(rule: PurchaseRuleRecord, points: number, coupons: number): boolean {
  return (
    (rule.maxGrants === null || rule.grantedCount + 1 <= rule.maxGrants) &&
    (rule.maxPoints === null || rule.pointsGranted + points <= rule.maxPoints) &&
    (rule.maxCoupons === null || rule.couponsGranted + coupons <= rule.maxCoupons)
  );
}

/**
 * Fires the rules a settled sale matches, inside the sale's own transaction (an in-transaction subscriber of
 * SaleSettled): the reward commits with the sale or not at all, so a crash between settlement and reward cannot
 * lose or split it. Each rule fires at most once per purchase: the grant row's unique key (rule, purchase) is taken
 * first, so a replayed event, a retried WeChat Pay notification or a second instance finds it taken and gives
 * nothing. The budget moves by one conditional UPDATE on the rule's counters (never read-modify-write): a rule out
 * of budget, or whose coupon template is sold out or paused, does not fire and does not count as fired. A rule
 * without a budget keeps no counters (its numbers are counted from its grants): taking its row lock would queue
 * every matching sale behind the one before it for nothing, its row held until each sale commits.
 * Locks are taken in one order — member (settlement), rules by priority, then the coupon template — so concurrent
 * sales queue on a hot rule's row instead of deadlocking.
 */
@Injectable()
export class PurchaseRuleFiring implements OnModuleInit {
  private readonly logger = new Logger(PurchaseRuleFiring.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly events: DomainEvents,
    private readonly issuer: CouponIssuer,
    private readonly ledger: PointsLedger,
    private readonly takeBack: RewardTakeBack,
  ) {}

  onModuleInit(): void {
    this.events.inTransaction(SaleSettled, 'purchase-rules.fire', (sale, em) => this.fire(em, sale).then(() => undefined));
    this.events.inTransaction(SaleRefunded, 'purchase-rules.take-back', (refund, em) =>
      refund.full ? this.takeBack.takeBackWithin(em, refund.purchaseId, refund.at) : Promise.resolve(),
    );
    this.events.inTransaction(CouponRedemptionReversed, 'purchase-rules.coupon-came-back', (reversed, em) =>
      reversed.restored ? this.takeBack.couponCameBack(em, reversed.couponId, reversed.redemptionId, reversed.at) : Promise.resolve(),
    );
  }

  /** Fires what the sale matches; answers the ids of the rules that fired (or had already fired for it). */
  async fire(em: EntityManager, sale: SaleSettled): Promise<number[]> {
    const rules = await purchaseRulesRepository.activeRules(em);
    if (rules.length === 0) return [];
    const facts = await this.factsOf(em, sale, rules);
    const byId = new Map(rules.map((r) => [r.id, r]));
    const fired = await fireInOrder(matchingRules(rules.map(forMatching), facts), (rule) => this.fireOne(em, byId.get(rule.id)!, sale));
    return fired.map((r) => r.id);
  }

  private async factsOf(em: EntityManager, sale: SaleSettled, rules: PurchaseRuleRecord[]): Promise<SaleFacts> {
    const timeZone = this.config.businessCalendar.timeZone;
    const date = businessDate(sale.at, timeZone);
    // The settlement says the tier it left (no read); an event from elsewhere may not, then the row is read.
    const tier = sale.tierAfter ?? (await membersRepository.find(em, sale.memberId))?.tier ?? 'normal';
    // A locking read: it sees every committed purchase of the member, whatever snapshot the transaction holds.
    const earlier = rules.some((r) => r.firstPurchase)
      ? await em.query(`SELECT id FROM purchase WHERE member_id = ? AND id <> ? LIMIT 1${forUpdate(em)}`, [sale.memberId, sale.purchaseId])
      : [null];
    const firstPurchase = earlier.length === 0;
    return {
      paidFen: sale.paidFen,
      pointsEarned: sale.pointsEarned,
      firstPurchase,
      tier: tier as SaleFacts['tier'],
      storeCode: sale.storeCode,
      channel: sale.channel,
      businessDate: date,
      memberDay: this.config.points.memberDaysOfMonth.includes(Number(date.slice(8, 10))),
    };
  }

  /** One rule on one sale: true when it fired now or had fired already (exclusivity counts both). */
  private async fireOne(em: EntityManager, rule: PurchaseRuleRecord, sale: SaleSettled): Promise<boolean> {
    const points = rewardPoints(rule, sale.pointsEarned);
    const coupons = rule.couponTemplateId !== null ? rule.couponCount : 0;
    // Committed counters only grow, so a budget the rule row (as read) shows spent is spent: no lock needed to skip.
    if (!withinBudget(rule, points, coupons)) return false;
    let grantId: number;
    try {
      const inserted = await em.insert(PurchaseRuleGrant, {
        ruleId: rule.id,
        purchaseId: sale.purchaseId,
        memberId: sale.memberId,
        storeCode: sale.storeCode,
        paidFen: sale.paidFen,
        points,
        couponCount: coupons,
        grantedAt: sale.at,
      });
      grantId = Number(inserted.identifiers[0].id);
    } catch (error) {
      if (isUniqueViolation(error)) return true;
      throw error;
    }
    const budgeted = hasBudget(rule);
    if (budgeted && !(await this.takeBudget(em, rule.id, points, coupons))) return this.undo(em, grantId, rule.id, null);
    let validUntil: Date | null = null;
    let couponName: string | null = null;
    if (rule.couponTemplateId !== null && coupons > 0) {
      if (!(await this.issuer.takeStock(em, rule.couponTemplateId, coupons)))
        return this.undo(em, grantId, rule.id, budgeted ? { points, coupons } : null);
      // Read under the lock the stock just took: the sale's snapshot can predate an edit of the template.
      const template = await couponsRepository.lockTemplate(em, rule.couponTemplateId);
      if (!template) throw new Error(`coupon template ${rule.couponTemplateId} of rule ${rule.id} took stock and does not exist`);
      couponName = template.name;
      const validity = couponValidity(validityOf(template), sale.at, this.config.businessCalendar.timeZone);
      validUntil = validity.validUntil;
      for (let index = 0; index < coupons; index++) {
        const couponId = await this.issuer.issueOne(em, {
          templateId: template.id,
          memberId: sale.memberId,
          seq: rewardCouponSeq(grantId, index),
          code: newCouponCode(),
          ...validity,
          idempotencyKey: rewardCouponKey(grantId, index),
          claimedAt: sale.at,
        });
        await em.insert(PurchaseRuleGrantCoupon, { grantId, couponId });
      }
    }
    const line = await this.ledger.credit(em, {
      memberId: sale.memberId,
      points,
      reason: 'reward',
      sourceKey: rewardPointsKey(grantId),
      purchaseId: sale.purchaseId,
      now: sale.at,
      expiresAt: this.ledger.expiryFor(sale.at),
    });
    this.logger.log({ ruleId: rule.id, purchaseId: sale.purchaseId, grantId, points, coupons }, 'purchase rule fired');
    await this.events.publish(
      em,
      new PurchaseRewarded(
        grantId,
        rule.id,
        rule.name,
        sale.memberId,
        sale.purchaseId,
        points,
        line?.balanceAfter ?? null,
        couponName,
        couponName !== null ? coupons : 0,
        validUntil,
        sale.at,
      ),
    );
    return true;
  }

  /** The rule's counters, within its budget, by one conditional UPDATE (an active rule only). */
  private async takeBudget(em: EntityManager, ruleId: number, points: number, coupons: number): Promise<boolean> {
    const changed = await execute(
      em,
      `UPDATE purchase_rule
          SET granted_count = granted_count + 1, points_granted = points_granted + ?, coupons_granted = coupons_granted + ?
        WHERE id = ? AND status = 'active'
          AND (max_grants IS NULL OR granted_count + 1 <= max_grants)
          AND (max_points IS NULL OR points_granted + ? <= max_points)
          AND (max_coupons IS NULL OR coupons_granted + ? <= max_coupons)`,
      [points, coupons, ruleId, points, coupons],
    );
    return changed === 1;
  }

  /** The rule could not fire after all: its grant row goes, and the budget it took comes back (same transaction). */
  private async undo(
    em: EntityManager,
    grantId: number,
    ruleId: number,
    taken: { points: number; coupons: number } | null,
  ): Promise<false> {
    if (taken)
      await execute(
        em,
        'UPDATE purchase_rule SET granted_count = granted_count - 1, points_granted = points_granted - ?, ' +
          'coupons_granted = coupons_granted - ? WHERE id = ?',
        [taken.points, taken.coupons, ruleId],
      );
    await em.delete(PurchaseRuleGrant, { id: grantId });
    return false;
  }
}
