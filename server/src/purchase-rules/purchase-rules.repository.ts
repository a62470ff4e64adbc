import {
  PurchaseRuleStatus,
  type PurchaseReward,
  type PurchaseRuleChannel,
  type PurchaseRuleRequest,
  type RuleForMatching,
  type TierCode,
} from '@member/shared';
import { In, type EntityManager } from 'typeorm';
import { couponsRepository } from '../coupons/coupons.repository';
import { PurchaseRule, PurchaseRuleGrant, PurchaseRuleGrantCoupon } from './purchase-rule.entities';

export type PurchaseRuleRecord = Readonly<PurchaseRule>;

const list = (text: string): string[] => (text ? text.split(',') : []);

/** A rule row as the pure matching rules see it. */
export function forMatching(rule: PurchaseRuleRecord): RuleForMatching {
  return {
    id: rule.id,
    status: rule.status,
    priority: rule.priority,
    exclusive: rule.exclusive,
    conditions: {
      minPaidFen: rule.minPaidFen,
      firstPurchase: rule.firstPurchase,
      tiers: list(rule.tiers) as TierCode[],
      stores: list(rule.stores),
      startsOn: rule.startsOn,
      endsOn: rule.endsOn,
      memberDayOnly: rule.memberDayOnly,
      channel: rule.channel as PurchaseRuleChannel,
    },
  };
}

/** The request's fields as the rule's columns. */
export function columnsOf(request: PurchaseRuleRequest): Partial<PurchaseRule> {
  const { conditions: c, reward: r, budget: b } = request;
  return {
    name: request.name,
    priority: request.priority,
    exclusive: request.exclusive,
    minPaidFen: c.minPaidFen,
    firstPurchase: c.firstPurchase,
    tiers: c.tiers.join(','),
    stores: c.stores.join(','),
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    memberDayOnly: c.memberDayOnly,
    channel: c.channel,
    couponTemplateId: r.couponTemplateId,
    couponCount: r.couponTemplateId === null ? 0 : r.couponCount,
    points: r.points,
    multiplierPermille: r.multiplierPermille,
    maxGrants: b.maxGrants,
    maxPoints: b.maxPoints,
    maxCoupons: b.maxCoupons,
    takeBack: request.takeBackOnRefund,
  };
}

/** Reads of purchase-rules for other modules (orders shows what a purchase earned). Writes stay in this module. */
export const purchaseRulesRepository = {
  activeRules(em: EntityManager): Promise<PurchaseRuleRecord[]> {
    return em.findBy(PurchaseRule, { status: PurchaseRuleStatus.Active });
  },

  /** What each purchase earned (本单获得), by purchase id: one entry per rule that fired, oldest first. */
  async rewardsOf(em: EntityManager, purchaseIds: readonly number[]): Promise<Map<number, PurchaseReward[]>> {
    const found = new Map<number, PurchaseReward[]>();
    if (purchaseIds.length === 0) return found;
    const grants = await em.find(PurchaseRuleGrant, { where: { purchaseId: In([...new Set(purchaseIds)]) }, order: { id: 'ASC' } });
    if (grants.length === 0) return found;
    const rules = new Map((await em.findBy(PurchaseRule, { id: In([...new Set(grants.map((g) => g.ruleId))]) })).map((r) => [r.id, r]));
    const templates = await couponsRepository.findTemplates(
      em,
      [...rules.values()].map((r) => r.couponTemplateId).filter((id): id is number => id !== null),
    );
    for (const grant of grants) {
      const rule = rules.get(grant.ruleId);
      const name = rule?.couponTemplateId ? (templates.get(rule.couponTemplateId)?.name ?? '优惠券') : '优惠券';
      const reward: PurchaseReward = {
        ruleId: grant.ruleId,
        ruleName: rule?.name ?? '',
        points: grant.points,
        couponNames: Array.from({ length: grant.couponCount }, () => name),
        takenBack: grant.takenBackAt !== null,
      };
      found.set(grant.purchaseId, [...(found.get(grant.purchaseId) ?? []), reward]);
    }
    return found;
  },

  grantCouponIds(em: EntityManager, grantIds: readonly number[]): Promise<PurchaseRuleGrantCoupon[]> {
    return grantIds.length ? em.findBy(PurchaseRuleGrantCoupon, { grantId: In([...grantIds]) }) : Promise.resolve([]);
  },
};
