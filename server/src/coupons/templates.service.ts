import type { CouponTemplateStatus, CouponTemplateView, CreateCouponTemplateRequest } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { CouponTemplate } from './coupon-template.entity';
import { toTemplateView } from './coupon.views';
import { heldCountsByTemplate } from './held-coupons';

/** Marketing's side: define coupon templates, pause and resume them, see claimed and redeemed counts. */
@Injectable()
export class TemplatesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async create(request: CreateCouponTemplateRequest): Promise<CouponTemplateView> {
    const { terms, validity } = request;
    const id = await this.transactions.run(async (em) => {
      const result = await em.insert(CouponTemplate, {
        name: request.name,
        description: request.description ?? null,
        kind: terms.kind,
        valueFen: terms.kind === 'cash_off' || terms.kind === 'no_threshold' ? terms.valueFen : null,
        thresholdFen: terms.thresholdFen,
        percentPermille: terms.kind === 'percent_off' ? terms.percentPermille : null,
        capFen: terms.kind === 'percent_off' ? terms.capFen : null,
        giftName: terms.kind === 'gift' ? terms.giftName : null,
        stacksWithMemberDiscount: terms.stacksWithMemberDiscount,
        totalStock: request.totalStock,
        perMemberLimit: request.perMemberLimit,
        validityType: validity.type,
        validFrom: validity.type === 'fixed' ? new Date(validity.validFrom) : null,
        validUntil: validity.type === 'fixed' ? new Date(validity.validUntil) : null,
        validDays: validity.type === 'relative' ? validity.validDays : null,
        claimStartsAt: new Date(request.claimStartsAt),
        claimEndsAt: new Date(request.claimEndsAt),
        audience: request.audience,
        audienceTiers: request.audience === 'tiers' ? (request.audienceTiers ?? []).join(',') : null,
        pointsPrice: request.pointsPrice ?? null,
        // The domain's clock, not the database's: a moved clock (tests, the demo's replayed history) dates it too.
        createdAt: this.clock.now(),
      });
      return result.identifiers[0].id as number;
    });
    return this.get(id);
  }

  async get(id: number): Promise<CouponTemplateView> {
    const template = await this.find(id);
    return toTemplateView(template, (await heldCountsByTemplate(this.dataSource.manager, [id])).get(id) ?? 0);
  }

  async find(id: number): Promise<CouponTemplate> {
    const template = await this.dataSource.getRepository(CouponTemplate).findOneBy({ id });
    if (!template) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
    return template;
  }

  async list(): Promise<CouponTemplateView[]> {
    const templates = await this.dataSource.getRepository(CouponTemplate).find({ order: { id: 'DESC' }, take: 200 });
    const held = await heldCountsByTemplate(
      this.dataSource.manager,
      templates.map((t) => t.id),
    );
    return templates.map((template) => toTemplateView(template, held.get(template.id) ?? 0));
  }

  async setStatus(id: number, status: CouponTemplateStatus): Promise<CouponTemplateView> {
    await this.find(id);
    await this.transactions.run((em) => em.update(CouponTemplate, { id }, { status }));
    return this.get(id);
  }
}
