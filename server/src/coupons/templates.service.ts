import type { AppConfig } from '@member/config';
import type {
  CouponTemplateStatus,
  CouponTemplateView,
  CreateCouponTemplateRequest,
  TemplateLiveReason,
  UpdateCouponTemplateRequest,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { forUpdate } from '../database/dialect';
import { couponsRepository } from './coupons.repository';
import { TransactionRunner } from '../database/transaction-runner';
import { CouponTemplate } from './coupon-template.entity';
import { toTemplateView } from './coupon.views';
import { heldCountsByTemplate } from './held-coupons';

/** The columns a template's request sets: the same for a new template and an edit. */
function columnsOf(request: CreateCouponTemplateRequest): Partial<CouponTemplate> {
  const { terms, validity } = request;
  return {
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
    // Each tier once: the request may repeat one, and the column holds the distinct list.
    audienceTiers: request.audience === 'tiers' ? [...new Set(request.audienceTiers ?? [])].join(',') : null,
    pointsPrice: request.pointsPrice ?? null,
  };
}

/**
 * Marketing's side: define coupon templates, edit, duplicate (a client-side copy into a new form) and delete them
 * while they are not live, pause and resume them, see claimed and redeemed counts.
 *
 * Live (TemplateLiveReason in shared): a coupon of it exists, or it is active with its claim window open, or a
 * launched campaign offers it, or the config names it as the birthday perk. From then on its terms are what
 * members hold or were promised, so edit and delete are refused with COUPON_TEMPLATE_ALREADY_LIVE.
 *
 * Concurrency: every way a template goes live takes its row lock first (a coupon takes stock with a conditional
 * UPDATE of the row, a claim flush reads it FOR UPDATE, CampaignsService.launch locks it before the campaign
 * leaves its draft), and edit and delete decide under that same lock, reading the campaigns with a locking read
 * (the latest committed, not the snapshot). So an edit lands either wholly before the first coupon or launch, or
 * is refused; none lands after. SQLite (sql.js) runs one transaction at a time, which gives the same order.
 */
@Injectable()
export class TemplatesService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async create(request: CreateCouponTemplateRequest): Promise<CouponTemplateView> {
    const id = await this.transactions.run(async (em) => {
      // The domain's clock, not the database's: a moved clock (tests, the demo's replayed history) dates it too.
      const result = await em.insert(CouponTemplate, { ...columnsOf(request), createdAt: this.clock.now() });
      return result.identifiers[0].id as number;
    });
    return this.get(id);
  }

  /** The whole template again, while it is not live; its terms version goes up (see claim-flush.ts). */
  async update(id: number, request: UpdateCouponTemplateRequest): Promise<CouponTemplateView> {
    await this.transactions.run(async (em) => {
      await this.lockWhileNotLive(em, id);
      await em.update(CouponTemplate, { id }, { ...columnsOf(request), termsVersion: () => 'terms_version + 1' });
    });
    return this.get(id);
  }

  /** Gone for good while not live and no campaign (even a draft) offers it: a draft must not lose its coupon. */
  async remove(id: number): Promise<void> {
    await this.transactions.run(async (em) => {
      const campaigns = await this.lockWhileNotLive(em, id);
      if (campaigns.length > 0) throw new DomainError('COUPON_TEMPLATE_IN_USE', undefined, { templateId: id, campaigns });
      await em.delete(CouponTemplate, { id });
    });
  }

  /**
   * For a campaign leaving its draft (CampaignsService.launch, in its transaction): holds the template's row lock
   * to the launch's commit, so an edit or delete of the template waits and then finds it live. Answers whether
   * the template exists.
   */
  async lockForLaunch(em: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await em.query(`SELECT id FROM coupon_template WHERE id = ?${forUpdate(em)}`, [id]);
    return rows.length > 0;
  }

  async get(id: number): Promise<CouponTemplateView> {
    const template = await this.find(id);
    const [launched, held] = await Promise.all([
      this.launchedCampaignTemplates(this.dataSource.manager, [id]),
      heldCountsByTemplate(this.dataSource.manager, [id]),
    ]);
    return this.view(template, launched, held);
  }

  async find(id: number): Promise<CouponTemplate> {
    const template = await this.dataSource.getRepository(CouponTemplate).findOneBy({ id });
    if (!template) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
    return template;
  }

  async list(): Promise<CouponTemplateView[]> {
    const templates = await this.dataSource.getRepository(CouponTemplate).find({ order: { id: 'DESC' }, take: 200 });
    const ids = templates.map((t) => t.id);
    const [launched, held] = await Promise.all([
      this.launchedCampaignTemplates(this.dataSource.manager, ids),
      heldCountsByTemplate(this.dataSource.manager, ids),
    ]);
    return templates.map((template) => this.view(template, launched, held));
  }

  async setStatus(id: number, status: CouponTemplateStatus): Promise<CouponTemplateView> {
    await this.find(id);
    await this.transactions.run((em) => em.update(CouponTemplate, { id }, { status }));
    return this.get(id);
  }

  private view(template: CouponTemplate, launched: ReadonlySet<number>, held: ReadonlyMap<number, number>): CouponTemplateView {
    return { ...toTemplateView(template, held.get(template.id) ?? 0), liveBecause: this.liveReason(template, launched.has(template.id)) };
  }

  /** The first reason the template is live, or null (see the class comment and TemplateLiveReason). */
  private liveReason(template: CouponTemplate, offeredByLaunchedCampaign: boolean): TemplateLiveReason | null {
    if (template.claimedCount > 0) return 'coupons_given';
    if (template.status === 'active' && template.claimStartsAt.getTime() <= this.clock.now().getTime()) return 'claimable';
    if (offeredByLaunchedCampaign) return 'campaign';
    if (this.config.birthday.perk.couponTemplateId === template.id) return 'birthday_perk';
    return null;
  }

  /**
   * Locks the template's row and refuses unless it is not live. Answers the campaigns (drafts) that offer it.
   * The campaigns are read with a locking read after the row lock: a launch that held the lock has committed.
   */
  private async lockWhileNotLive(em: EntityManager, id: number): Promise<Array<{ id: number; status: string }>> {
    const template = await couponsRepository.lockTemplate(em, id);
    if (!template) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
    const campaigns = (
      (await em.query(`SELECT id, status FROM campaign WHERE coupon_template_id = ? ORDER BY id${forUpdate(em)}`, [id])) as Array<{
        id: number | string;
        status: string;
      }>
    ).map((c) => ({ id: Number(c.id), status: c.status }));
    const reason = this.liveReason(
      template,
      campaigns.some((c) => c.status !== 'draft'),
    );
    if (reason) throw new DomainError('COUPON_TEMPLATE_ALREADY_LIVE', undefined, { templateId: id, reason });
    return campaigns;
  }

  /** Which of these templates a campaign past its draft offers (read from the campaigns' table; campaigns own it). */
  private async launchedCampaignTemplates(em: EntityManager, ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ id: number | string }> = await em.query(
      "SELECT DISTINCT coupon_template_id AS id FROM campaign WHERE status <> 'draft'" +
        ` AND coupon_template_id IN (${ids.map(() => '?').join(', ')})`,
      [...ids],
    );
    return new Set(rows.map((r) => Number(r.id)));
  }
}
