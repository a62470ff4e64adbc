import type { AppConfig } from '@member/config';
import {
  PurchaseRuleStatus,
  rewardIsEmpty,
  type PurchaseRuleListResponse,
  type PurchaseRuleRequest,
  type PurchaseRuleView,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, Not } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { couponsRepository } from '../coupons/coupons.repository';
import { execute, sqlDate } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { PurchaseRule } from './purchase-rule.entities';
import { columnsOf, forMatching, type PurchaseRuleRecord } from './purchase-rules.repository';

/** Which statuses each status change may start from: draft → active ⇄ paused; any but ended → ended. */
const FROM: Record<'active' | 'paused' | 'ended', PurchaseRuleStatus[]> = {
  active: ['draft', 'paused'],
  paused: ['active'],
  ended: ['draft', 'active', 'paused'],
};

/** Admins' rules: drafted, edited while draft, activated, paused, ended (never deleted: grants point at them). */
@Injectable()
export class PurchaseRulesService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<PurchaseRuleListResponse> {
    const rules = await this.dataSource.getRepository(PurchaseRule).find({ order: { id: 'DESC' }, take: 200 });
    return { rules: await this.views(rules) };
  }

  async get(id: number): Promise<PurchaseRuleView> {
    return (await this.views([await this.find(id)]))[0];
  }

  async create(request: PurchaseRuleRequest, createdBy: string): Promise<PurchaseRuleView> {
    await this.check(request);
    const open = await this.dataSource.getRepository(PurchaseRule).countBy({ status: Not(PurchaseRuleStatus.Ended) });
    if (open >= this.config.purchaseRules.maxOpenRules) throw new DomainError('PURCHASE_RULE_TOO_MANY');
    const now = this.clock.now();
    const id = await this.transactions.run(async (em) => {
      const inserted = await em.insert(PurchaseRule, {
        ...columnsOf(request),
        status: PurchaseRuleStatus.Draft,
        createdBy,
        createdAt: now,
        updatedAt: now,
      });
      return Number(inserted.identifiers[0].id);
    });
    return this.get(id);
  }

  /** Drafts only: once a rule has fired, what it gave must stay explained by what it says. */
  async update(id: number, request: PurchaseRuleRequest): Promise<PurchaseRuleView> {
    await this.check(request);
    await this.find(id);
    const changed = await this.transactions.run((em) =>
      em.update(PurchaseRule, { id, status: PurchaseRuleStatus.Draft }, { ...columnsOf(request), updatedAt: this.clock.now() }),
    );
    if (changed.affected !== 1) throw new DomainError('PURCHASE_RULE_NOT_DRAFT');
    return this.get(id);
  }

  /** A conditional UPDATE from the allowed statuses: two admins racing cannot both move it. */
  async setStatus(id: number, status: 'active' | 'paused' | 'ended'): Promise<PurchaseRuleView> {
    await this.find(id);
    const from = FROM[status];
    const changed = await this.transactions.run((em) =>
      execute(em, `UPDATE purchase_rule SET status = ?, updated_at = ? WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`, [
        status,
        sqlDate(em, this.clock.now()),
        id,
        ...from,
      ]),
    );
    if (changed !== 1) throw new DomainError('PURCHASE_RULE_STATUS_CONFLICT');
    return this.get(id);
  }

  async find(id: number): Promise<PurchaseRuleRecord> {
    const rule = await this.dataSource.getRepository(PurchaseRule).findOneBy({ id });
    if (!rule) throw new DomainError('PURCHASE_RULE_NOT_FOUND');
    return rule;
  }

  private async check(request: PurchaseRuleRequest): Promise<void> {
    const limits = this.config.purchaseRules;
    const { reward, conditions } = request;
    if (rewardIsEmpty(reward)) throw new DomainError('PURCHASE_RULE_EMPTY_REWARD');
    if (
      reward.couponCount > limits.maxCouponsPerGrant ||
      reward.points > limits.maxPointsPerGrant ||
      (reward.multiplierPermille ?? 1000) > limits.maxMultiplierPermille
    )
      throw new DomainError('PURCHASE_RULE_LIMIT_EXCEEDED');
    if (conditions.startsOn && conditions.endsOn && conditions.endsOn < conditions.startsOn)
      throw new DomainError('PURCHASE_RULE_DATES_INVALID');
    if (reward.couponTemplateId !== null && !(await couponsRepository.templateExists(this.dataSource.manager, reward.couponTemplateId)))
      throw new DomainError('PURCHASE_RULE_COUPON_TEMPLATE_UNKNOWN');
  }

  private async views(rules: PurchaseRuleRecord[]): Promise<PurchaseRuleView[]> {
    const templateIds = rules.map((r) => r.couponTemplateId).filter((id): id is number => id !== null);
    const templates = templateIds.length ? await couponsRepository.findTemplates(this.dataSource.manager, templateIds) : new Map();
    // From the grants themselves: a rule without a budget keeps no counters.
    const rows: Array<{ ruleId: number | string; n: number | string; points: number | string | null; coupons: number | string | null }> =
      rules.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT rule_id AS ruleId, COUNT(*) AS n, SUM(points) AS points, SUM(coupon_count) AS coupons
               FROM purchase_rule_grant WHERE rule_id IN (${rules.map(() => '?').join(', ')}) GROUP BY rule_id`,
            rules.map((r) => r.id),
          );
    const granted = new Map(
      rows.map((r) => [Number(r.ruleId), { n: Number(r.n), points: Number(r.points ?? 0), coupons: Number(r.coupons ?? 0) }]),
    );
    return rules.map((rule) => ({
      id: rule.id,
      name: rule.name,
      status: rule.status,
      priority: rule.priority,
      exclusive: rule.exclusive,
      conditions: forMatching(rule).conditions,
      reward: {
        couponTemplateId: rule.couponTemplateId,
        couponCount: rule.couponCount,
        points: rule.points,
        multiplierPermille: rule.multiplierPermille,
      },
      budget: { maxGrants: rule.maxGrants, maxPoints: rule.maxPoints, maxCoupons: rule.maxCoupons },
      takeBackOnRefund: rule.takeBack,
      couponTemplateName: rule.couponTemplateId ? (templates.get(rule.couponTemplateId)?.name ?? null) : null,
      grantedCount: granted.get(rule.id)?.n ?? 0,
      pointsGranted: granted.get(rule.id)?.points ?? 0,
      couponsGranted: granted.get(rule.id)?.coupons ?? 0,
      createdAt: new Date(rule.createdAt).toISOString(),
    }));
  }
}
