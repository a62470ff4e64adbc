import type { AppConfig } from '@member/config';
import {
  CampaignRunStatus,
  CampaignSchedule,
  CampaignStatus,
  OutboxStatus,
  type AudienceFilter,
  type CampaignListResponse,
  type CampaignMessageOutcomes,
  type CampaignRunView,
  type CampaignView,
  type CreateCampaignRequest,
  type UpdateCampaignRequest,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { businessDate, Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { couponsRepository } from '../coupons/coupons.repository';
import { TemplatesService } from '../coupons/templates.service';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { sqlDate } from '../database/sql';
import { Campaign, CampaignRun } from './campaign.entities';
import { CampaignIssuer, type IssueReport } from './campaign-issuer';
import { campaignMessagePrefix, CampaignPlans } from './campaign-plans';
import type { SystemCampaign } from './system-campaigns';
import { heldByUnpaidOrder } from '../coupons/held-coupons';

const RECENT_RUNS = 30;

/** Marketing's campaigns: set up, launched, paused; their runs started on schedule and reported on. */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly issuer: CampaignIssuer,
    private readonly plans: CampaignPlans,
    private readonly templates: TemplatesService,
  ) {}

  async create(request: CreateCampaignRequest, staffOpenid: string): Promise<CampaignView> {
    const earlier = await this.dataSource.getRepository(Campaign).findOneBy({ idempotencyKey: request.idempotencyKey });
    if (earlier) return this.replayCreate(earlier, request);
    this.checkOffer(request);
    if (request.couponTemplateId !== null && !(await couponsRepository.templateExists(this.dataSource.manager, request.couponTemplateId)))
      throw new DomainError('CAMPAIGN_COUPON_TEMPLATE_UNKNOWN');
    try {
      const inserted = await this.dataSource.getRepository(Campaign).insert({
        ...this.columnsOf(request),
        status: CampaignStatus.Draft,
        idempotencyKey: request.idempotencyKey,
        createdBy: staffOpenid,
        createdAt: this.clock.now(),
        launchedAt: null,
      });
      return this.get(inserted.identifiers[0].id as number);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.replayCreate(
        await this.dataSource.getRepository(Campaign).findOneByOrFail({ idempotencyKey: request.idempotencyKey }),
        request,
      );
    }
  }

  /**
   * The draft a key already made, for the same request only: another one under that key is refused
   * (IDEMPOTENCY_KEY_REUSED), never answered with the first draft as if its changes had been saved.
   */
  private replayCreate(earlier: Campaign, request: CreateCampaignRequest): Promise<CampaignView> {
    // Instants to the second: MySQL's DATETIME keeps no fractions of one.
    const comparable = (value: unknown) => (value instanceof Date ? Math.floor(value.getTime() / 1000) : (value ?? null));
    const asked = this.columnsOf(request) as Record<string, unknown>;
    const stored = earlier as unknown as Record<string, unknown>;
    if (Object.keys(asked).some((column) => comparable(asked[column]) !== comparable(stored[column])))
      throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return this.view(earlier);
  }

  async list(): Promise<CampaignListResponse> {
    const campaigns = await this.dataSource.getRepository(Campaign).find({ order: { id: 'DESC' }, take: 100 });
    // The list shows each campaign's latest run only; the campaign's page has the rest.
    return { campaigns: await Promise.all(campaigns.map((c) => this.view(c, 1))) };
  }

  async get(id: number): Promise<CampaignView> {
    return this.view(await this.campaign(id));
  }

  /**
   * Draft → active. A "now" campaign's run starts at once (issued in the background by the scheduler).
   * The offered template's row is locked first (TemplatesService.lockForLaunch): from this commit on the template
   * is live, and an edit or delete of it waiting on that lock is refused. The move is one conditional UPDATE on
   * `status = 'draft'`, so of a launch and an edit or delete of the same draft exactly one wins.
   */
  async launch(id: number): Promise<CampaignView> {
    const now = this.clock.now();
    const campaign = await this.transactions.run(async (em) => {
      const found = await em.findOneBy(Campaign, { id });
      if (!found) throw new DomainError('CAMPAIGN_NOT_FOUND');
      if (found.couponTemplateId !== null && !(await this.templates.lockForLaunch(em, found.couponTemplateId)))
        throw new DomainError('CAMPAIGN_COUPON_TEMPLATE_UNKNOWN');
      const moved = await em.update(Campaign, { id, status: CampaignStatus.Draft }, { status: CampaignStatus.Active, launchedAt: now });
      if (!moved.affected) {
        const current = await em.findOneBy(Campaign, { id });
        if (!current) throw new DomainError('CAMPAIGN_NOT_FOUND');
        throw new DomainError(current.status === CampaignStatus.Draft ? 'CAMPAIGN_STATUS_CONFLICT' : 'CAMPAIGN_NOT_DRAFT');
      }
      return found;
    });
    this.logger.log({ campaignId: id }, 'campaign launched');
    if (campaign.schedule === CampaignSchedule.Now) await this.startRun(await this.campaign(id), 'once', now);
    return this.get(id);
  }

  /**
   * A draft's whole set-up again (its idempotency key stays the create's). One conditional UPDATE on
   * `status = 'draft'`: a launch that won first leaves nothing to change (CAMPAIGN_NOT_DRAFT), and a launch after
   * it launches the edited draft.
   */
  async update(id: number, request: UpdateCampaignRequest): Promise<CampaignView> {
    this.checkOffer(request);
    await this.transactions.run(async (em) => {
      if (request.couponTemplateId !== null && !(await couponsRepository.templateExists(em, request.couponTemplateId)))
        throw new DomainError('CAMPAIGN_COUPON_TEMPLATE_UNKNOWN');
      const moved = await em.update(Campaign, { id, status: CampaignStatus.Draft, systemKey: IsNull() }, this.columnsOf(request));
      if (!moved.affected) await this.refuseNotDraft(em, id);
    });
    return this.get(id);
  }

  /** A draft only (nothing was run or given): one conditional DELETE, so a launch at the same moment or this wins. */
  async remove(id: number): Promise<void> {
    await this.transactions.run(async (em) => {
      const removed = await em.delete(Campaign, { id, status: CampaignStatus.Draft, systemKey: IsNull() });
      if (!removed.affected) await this.refuseNotDraft(em, id);
    });
  }

  private async refuseNotDraft(em: EntityManager, id: number): Promise<never> {
    if (!(await em.existsBy(Campaign, { id }))) throw new DomainError('CAMPAIGN_NOT_FOUND');
    throw new DomainError('CAMPAIGN_NOT_DRAFT');
  }

  private checkOffer(request: UpdateCampaignRequest): void {
    if (request.couponTemplateId === null && request.points === 0 && request.messageKind === null)
      throw new DomainError('CAMPAIGN_EMPTY_OFFER');
  }

  /** The columns a campaign's set-up writes, on create and on edit. */
  private columnsOf(request: UpdateCampaignRequest): Partial<Campaign> {
    return {
      name: request.name,
      filter: JSON.stringify(request.filter),
      couponTemplateId: request.couponTemplateId,
      points: request.points,
      messageKind: request.messageKind,
      offerText: request.offerText,
      schedule: request.schedule,
      startsAt: request.startsAt ? new Date(request.startsAt) : null,
      dormantDays: request.dormantDays,
      daysBefore: request.daysBefore,
      holdoutPermille: request.holdoutPermille,
    };
  }

  async setPaused(id: number, paused: boolean): Promise<CampaignView> {
    // A system campaign follows its config (birthday.perk, messages.couponExpiringReminder), not a pause button.
    if ((await this.campaign(id)).systemKey !== null) throw new DomainError('CAMPAIGN_STATUS_CONFLICT');
    const [from, to] = paused ? [CampaignStatus.Active, CampaignStatus.Paused] : [CampaignStatus.Paused, CampaignStatus.Active];
    const moved = await this.dataSource.getRepository(Campaign).update({ id, status: from }, { status: to });
    if (!moved.affected) {
      await this.campaign(id);
      throw new DomainError('CAMPAIGN_STATUS_CONFLICT');
    }
    return this.get(id);
  }

  /**
   * The scheduler's pass: starts the runs that are due (one-off at their time, recurring once a day from
   * `recurringRunAtLocalTime`), then works on every unfinished run. Any number of instances may do this at once.
   */
  async tick(): Promise<number> {
    const now = this.clock.now();
    const local = DateTime.fromJSDate(now, { zone: this.config.businessCalendar.timeZone });
    // System campaigns start their runs at their own configured times (runSystemCampaign, from their jobs).
    const active = await this.dataSource.getRepository(Campaign).findBy({ status: CampaignStatus.Active, systemKey: IsNull() });
    for (const campaign of active) {
      if (campaign.schedule === CampaignSchedule.Now) await this.startRun(campaign, 'once', now);
      else if (campaign.schedule === CampaignSchedule.At) {
        if (campaign.startsAt && campaign.startsAt <= now) await this.startRun(campaign, 'once', now);
      } else if (local.toFormat('HH:mm') >= this.config.campaigns.recurringRunAtLocalTime) {
        await this.startRun(campaign, local.toISODate() as string, now);
      }
    }
    // Every unfinished run is worked on, system campaigns' too (a day's birthday perks or reminders that an
    // instance left halfway): one failing run does not hold up the others, and its failure is still thrown.
    const unfinished = await this.dataSource
      .getRepository(CampaignRun)
      .find({ where: { status: CampaignRunStatus.Issuing }, order: { id: 'ASC' } });
    let failure: { error: unknown } | null = null;
    for (const run of unfinished) {
      try {
        await this.issuer.issue(run.id);
      } catch (error) {
        this.logger.error({ err: error, runId: run.id }, 'campaign run failed; the next pass resumes it');
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
    return unfinished.length;
  }

  /**
   * A system campaign's run for `now`'s business day (the birthday perks, the expiry reminder): checks its plan
   * (a configuration error stops it before anything is given), starts the run once, whoever asks first, and
   * issues it to the end with the campaign runner. Answers what this call issued, or null when the campaign is
   * not active. A second call the same day finds the run done and issues nothing.
   */
  async runSystemCampaign(key: SystemCampaign, now: Date, onProgress?: (done: number, total: number) => void): Promise<IssueReport | null> {
    const campaign = await this.dataSource.getRepository(Campaign).findOneByOrFail({ systemKey: key });
    if (campaign.status !== CampaignStatus.Active) return null;
    const period = businessDate(now, this.config.businessCalendar.timeZone);
    const existing = await this.dataSource.getRepository(CampaignRun).findOneBy({ campaignId: campaign.id, period });
    if (!existing) await this.plans.planOf(this.dataSource.manager, campaign, { id: 0, asOf: now, period }, now);
    await this.startRun(campaign, period, now);
    const run = existing ?? (await this.dataSource.getRepository(CampaignRun).findOneByOrFail({ campaignId: campaign.id, period }));
    return this.issuer.issue(run.id, onProgress);
  }

  /** Creates the campaign's run for `period` once, whoever asks (the unique key on campaign × period). */
  private async startRun(campaign: Campaign, period: string, now: Date): Promise<void> {
    const [{ last }] = (await this.dataSource.query('SELECT MAX(id) AS last FROM member')) as Array<{ last: number | string | null }>;
    try {
      await this.dataSource.getRepository(CampaignRun).insert({
        campaignId: campaign.id,
        period,
        status: CampaignRunStatus.Issuing,
        asOf: now,
        nextMemberId: 1,
        lastMemberId: Number(last ?? 0),
        startedAt: now,
        finishedAt: null,
      });
      this.logger.log({ campaignId: campaign.id, period }, 'campaign run started');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // this period's run exists already
    }
  }

  private async campaign(id: number): Promise<Campaign> {
    const campaign = await this.dataSource.getRepository(Campaign).findOneBy({ id });
    if (!campaign) throw new DomainError('CAMPAIGN_NOT_FOUND');
    return campaign;
  }

  private async view(campaign: Campaign, runLimit = RECENT_RUNS): Promise<CampaignView> {
    // A system campaign shows the coupon its config gives today (birthday.perk.couponTemplateId), staff's their own.
    const today = businessDate(this.clock.now(), this.config.businessCalendar.timeZone);
    const templateId = this.plans.reportedCoupon(campaign, { id: 0, period: today })?.templateId ?? null;
    const template = templateId === null ? null : await couponsRepository.findTemplate(this.dataSource.manager, templateId);
    const runs = await this.dataSource
      .getRepository(CampaignRun)
      .find({ where: { campaignId: campaign.id }, order: { id: 'DESC' }, take: runLimit });
    return {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      filter: JSON.parse(campaign.filter) as AudienceFilter,
      couponTemplateId: templateId,
      couponTemplateName: template?.name ?? null,
      points: campaign.points,
      messageKind: campaign.messageKind,
      offerText: campaign.offerText,
      schedule: campaign.schedule,
      startsAt: campaign.startsAt?.toISOString() ?? null,
      dormantDays: campaign.dormantDays,
      daysBefore: campaign.daysBefore,
      holdoutPermille: campaign.holdoutPermille,
      createdAt: campaign.createdAt.toISOString(),
      launchedAt: campaign.launchedAt?.toISOString() ?? null,
      system: campaign.systemKey,
      runs: await Promise.all(runs.map((run) => this.runView(run, campaign))),
    };
  }

  /** The run report: what was issued, what became of the messages, and treatment against holdout since. */
  private async runView(run: CampaignRun, campaign: Campaign): Promise<CampaignRunView> {
    const q = <T>(sql: string, params: unknown[]) => this.dataSource.query(sql, params) as Promise<T[]>;
    const outcomes = await q<{ status: string; reason: string | null; errcode: number | string | null; n: number | string }>(
      'SELECT status, skip_reason AS reason, errcode, COUNT(*) AS n FROM message_outbox' +
        ' WHERE dedupe_key LIKE ? GROUP BY status, skip_reason, errcode',
      [`${campaignMessagePrefix(run.id)}%`],
    );
    const messages: CampaignMessageOutcomes = { queued: 0, sent: 0, skipped: {}, failed: {} };
    if (run.messagesNoGrant > 0) messages.skipped.no_grant = run.messagesNoGrant;
    for (const row of outcomes) {
      const n = Number(row.n);
      if (row.status === OutboxStatus.Queued || row.status === OutboxStatus.Sending) messages.queued += n;
      else if (row.status === OutboxStatus.Sent) messages.sent += n;
      else if (row.status === OutboxStatus.Skipped)
        messages.skipped[row.reason ?? 'unknown'] = (messages.skipped[row.reason ?? 'unknown'] ?? 0) + n;
      else {
        const code = row.errcode === null ? 'other' : String(row.errcode);
        messages.failed[code] = (messages.failed[code] ?? 0) + n;
      }
    }
    // Redeemed means used: a coupon an unpaid app order holds (已锁定) is not counted until that order is paid.
    let couponsRedeemed = 0;
    const coupon = this.plans.reportedCoupon(campaign, run);
    if (coupon) {
      // The run's own members only: a system campaign's coupons share their seq across the runs of a year (birthday).
      const [row] =
        campaign.systemKey === null
          ? await q<{ n: number | string }>(
              'SELECT COUNT(*) AS n FROM coupon c WHERE c.template_id = ? AND c.seq = ?' +
                ` AND c.status = 'redeemed' AND NOT ${heldByUnpaidOrder('c')}`,
              [coupon.templateId, coupon.seq],
            )
          : await q<{ n: number | string }>(
              'SELECT COUNT(*) AS n FROM campaign_member cm' +
                ' JOIN coupon c ON c.template_id = ? AND c.member_id = cm.member_id AND c.seq = ?' +
                ` WHERE cm.run_id = ? AND c.status = 'redeemed' AND NOT ${heldByUnpaidOrder('c')}`,
              [coupon.templateId, coupon.seq, run.id],
            );
      couponsRedeemed = Number(row.n);
    }
    // Revenue since the run started, treated against held out: once the run is done (while it issues, the
    // audience is still growing and the join over its members would be repeated by every poll for nothing).
    const revenue =
      run.status === CampaignRunStatus.Done
        ? await q<{ holdout: number | boolean; purchasers: number | string; revenue: number | string | null }>(
            `SELECT cm.holdout, COUNT(DISTINCT p.member_id) AS purchasers, SUM(p.paid_fen - p.refunded_fen) AS revenue
               FROM campaign_member cm JOIN purchase p ON p.member_id = cm.member_id AND p.purchased_at >= ?
              WHERE cm.run_id = ? GROUP BY cm.holdout`,
            [sqlDate(this.dataSource.manager, run.startedAt), run.id],
          )
        : [];
    const side = (holdout: boolean) => {
      const members = holdout ? run.heldOut : run.targeted - run.heldOut;
      const r = revenue.find((g) => Boolean(Number(g.holdout)) === holdout);
      const revenueFen = Number(r?.revenue ?? 0);
      return {
        members,
        revenueFen,
        revenuePerMemberFen: members ? Math.round(revenueFen / members) : 0,
        purchasers: Number(r?.purchasers ?? 0),
      };
    };
    return {
      id: run.id,
      period: run.period,
      status: run.status,
      targeted: run.targeted,
      heldOut: run.heldOut,
      couponsIssued: run.couponsIssued,
      couponsShort: run.couponsShort,
      pointsGranted: run.pointsGranted,
      messages,
      couponsRedeemed,
      treatment: side(false),
      holdout: side(true),
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
    };
  }
}
