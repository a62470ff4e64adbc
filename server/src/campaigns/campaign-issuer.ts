import type { AppConfig } from '@member/config';
import {
  type AudienceFilter,
  birthdayWindowContaining,
  CampaignRunStatus,
  CampaignSchedule,
  CampaignStatus,
  type CalendarDate,
  CouponStatus,
  MessageKind,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { addBusinessDays, businessDate, Clock } from '../common/clock';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { couponValidity } from '../coupons/coupon-rules';
import { CouponTemplate } from '../coupons/coupon-template.entity';
import { validityOf } from '../coupons/coupon.views';
import { sqlDate, sqlDateValue } from '../database/sql';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { reachableMembers } from '../messages/message-reach';
import { MessagesService } from '../messages/messages.service';
import { PointsLedger } from '../points/points-ledger';
import { PointsReason } from '../points/points.entities';
import { audienceQuery } from '../segments/audience-sql';
import { Campaign, CampaignRun } from './campaign.entities';
import { SystemCampaign } from './system-campaigns';

/** Rows per multi-row statement. */
const ROWS_PER_STATEMENT = 500;
/** A chunk rolled back by a coupon-code clash is simply tried again with new codes. */
const MAX_CHUNK_ATTEMPTS = 5;

/** What a campaign's coupons are recognised by: one per member per run (the coupon's unique idempotency key). */
export const campaignCouponKey = (runId: number) => `campaign-run:${runId}`;
/** The claim sequence campaign coupons take: far above any per-member claim limit, one per run. */
export const campaignCouponSeq = (runId: number) => 1_000_000 + runId;
/** The outbox key of a run's message to a member: one message per campaign run and member. */
export const campaignMessageKey = (runId: number, memberId: number) => `campaign:${runId}:${memberId}`;
export const campaignMessagePrefix = (runId: number) => `campaign:${runId}:`;

interface ChunkOutcome {
  targeted: number;
  heldOut: number;
  couponsIssued: number;
  couponsShort: number;
  pointsGranted: number;
  messagesQueued: number;
  messagesNoGrant: number;
}

/**
 * Issues a run to its audience, set-based, one chunk of member ids per transaction. The chunk's first
 * statement moves the run's checkpoint conditionally (`next_member_id = :from`), so two instances working on
 * the same run take different chunks and a chunk is done once; everything the chunk issues (members, coupons,
 * points, queued messages) commits with the checkpoint, or none of it does.
 */
@Injectable()
export class CampaignIssuer {
  private readonly logger = new Logger(CampaignIssuer.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly ledger: PointsLedger,
    private readonly messages: MessagesService,
    private readonly coupons: CouponIssuer,
  ) {}

  private get chunkSpan(): number {
    return this.config.campaigns.chunkMemberIds;
  }

  /** Works on the run until it is done (or the campaign is paused); safe to call from any number of places. */
  async issue(runId: number, onProgress?: (done: number, total: number) => void): Promise<CampaignRun> {
    for (;;) {
      const run = await this.dataSource.getRepository(CampaignRun).findOneByOrFail({ id: runId });
      if (run.status === CampaignRunStatus.Done) return run;
      const campaign = await this.dataSource.getRepository(Campaign).findOneByOrFail({ id: run.campaignId });
      if (campaign.status === CampaignStatus.Paused) return run;
      if (run.nextMemberId > run.lastMemberId) {
        await this.finish(run, campaign);
        continue;
      }
      const from = run.nextMemberId;
      const to = Math.min(run.lastMemberId, from + this.chunkSpan - 1);
      await this.issueChunk(run, campaign, from, to);
      onProgress?.(Math.min(to, run.lastMemberId), run.lastMemberId);
    }
  }

  private async issueChunk(run: CampaignRun, campaign: Campaign, from: number, to: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.transactions.run((em) => this.issueChunkWithin(em, run, campaign, from, to));
        if (outcome) this.logger.debug({ runId: run.id, from, to, ...outcome }, 'campaign chunk issued');
        return;
      } catch (error) {
        // A fresh coupon code that happens to exist already rolls the chunk back: new codes next time.
        if (attempt < MAX_CHUNK_ATTEMPTS && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** Null when another instance took this chunk first. */
  private async issueChunkWithin(
    em: EntityManager,
    run: CampaignRun,
    campaign: Campaign,
    from: number,
    to: number,
  ): Promise<ChunkOutcome | null> {
    const taken = await em
      .createQueryBuilder()
      .update(CampaignRun)
      .set({ nextMemberId: to + 1 })
      .where('id = :id AND next_member_id = :from', { id: run.id, from })
      .execute();
    if (taken.affected !== 1) return null;
    const now = this.clock.now();
    const at = sqlDate(em, now);

    // 1. Who: the audience as of the run, within the chunk, with the recurring schedule's own condition.
    const audience = this.audienceSql(em, campaign, run);
    await em.query(
      `INSERT INTO campaign_member (run_id, member_id, holdout, created_at)
       SELECT ?, m.id, CASE WHEN (m.id * 7919 + ?) % 1000 < ? THEN 1 ELSE 0 END, ? FROM ${audience.from}
        WHERE ${audience.where} AND m.id BETWEEN ? AND ?`,
      [run.id, run.id * 104_729, campaign.holdoutPermille, at, ...audience.params, from, to],
    );
    const [counts] = (await em.query(
      'SELECT COUNT(*) AS targeted, SUM(CASE WHEN holdout THEN 1 ELSE 0 END) AS heldOut FROM campaign_member WHERE run_id = ? AND member_id BETWEEN ? AND ?',
      [run.id, from, to],
    )) as Array<{ targeted: number | string; heldOut: number | string | null }>;
    const targeted = Number(counts.targeted);
    const heldOut = Number(counts.heldOut ?? 0);
    const outcome: ChunkOutcome = {
      targeted,
      heldOut,
      couponsIssued: 0,
      couponsShort: 0,
      pointsGranted: 0,
      messagesQueued: 0,
      messagesNoGrant: 0,
    };
    // The treated members' ids are read only when something is given to them one by one (points, messages).
    const needIds = campaign.points > 0 || campaign.messageKind !== null;
    const treated = needIds
      ? (
          (await em.query(
            'SELECT member_id AS memberId FROM campaign_member WHERE run_id = ? AND member_id BETWEEN ? AND ? AND holdout = ? ORDER BY member_id',
            [run.id, from, to, false],
          )) as Array<{ memberId: number | string }>
        ).map((m) => Number(m.memberId))
      : [];
    const treatedCount = targeted - heldOut;

    // 2. The coupon, stock first taken in one conditional UPDATE; when short, what is left.
    let withCoupon: number[] = [];
    let couponCount = 0;
    let template: CouponTemplate | null = null;
    if (campaign.couponTemplateId !== null && treatedCount > 0) {
      template = await em.findOneByOrFail(CouponTemplate, { id: campaign.couponTemplateId });
      couponCount = await this.issueCoupons(em, run, template, { from, to, treatedCount }, now);
      withCoupon = treated.slice(0, couponCount);
      outcome.couponsIssued = couponCount;
      outcome.couponsShort = treatedCount - couponCount;
    }

    // 3. Points, through the ledger (its source key makes each member's grant once per run).
    if (campaign.points > 0) {
      const expiresAt = this.ledger.expiryFor(now); // like earned points
      for (const memberId of treated) {
        const line = await this.ledger.credit(em, {
          memberId,
          points: campaign.points,
          reason: PointsReason.Campaign,
          sourceKey: `campaign-run:${run.id}:member:${memberId}`,
          now,
          expiresAt,
        });
        if (line) outcome.pointsGranted += campaign.points;
      }
    }

    // 4. The message, for treated members it can reach (messages' reach rule; the others are counted, not queued).
    if (campaign.messageKind && treated.length > 0) {
      const templateId = this.config.messages.templates[campaign.messageKind].templateId;
      const reachable = await reachableMembers(em, { templateId, kind: campaign.messageKind }, treated, ROWS_PER_STATEMENT);
      outcome.messagesNoGrant = treated.length - reachable.length;
      const timeZone = this.config.businessCalendar.timeZone;
      if (campaign.systemKey === SystemCampaign.CouponReminder)
        outcome.messagesQueued = await this.remindOfExpiringCoupons(em, run, reachable);
      else {
        const couponUntil = template ? couponValidity(validityOf(template), now, timeZone).validUntil : null;
        const hasCoupon = new Set(withCoupon);
        outcome.messagesQueued = await this.messages.queueMany(
          em,
          campaign.messageKind,
          reachable.map((member) => {
            const memberId = member.id;
            const gotCoupon = hasCoupon.has(memberId) && template !== null;
            const offer = campaign.offerText ?? (gotCoupon ? `${template!.name}已到账` : `${campaign.points}积分已到账`);
            return {
              memberId,
              vars: {
                name: MessagesService.displayName(member),
                couponName: gotCoupon ? template!.name : offer,
                expiresOn: (couponUntil ? businessDate(couponUntil, timeZone) : businessDate(now, timeZone)) as CalendarDate,
                offer,
                gift: offer,
                validUntil: businessDate(couponUntil ?? now, timeZone),
                delta: campaign.points,
                balance: campaign.points,
                reason: campaign.name,
              },
              dedupeKey: campaignMessageKey(run.id, memberId),
            };
          }),
        );
      }
    }

    await em
      .createQueryBuilder()
      .update(CampaignRun)
      .set({
        targeted: () => `targeted + ${outcome.targeted}`,
        heldOut: () => `held_out + ${outcome.heldOut}`,
        couponsIssued: () => `coupons_issued + ${outcome.couponsIssued}`,
        couponsShort: () => `coupons_short + ${outcome.couponsShort}`,
        pointsGranted: () => `points_granted + ${outcome.pointsGranted}`,
        messagesQueued: () => `messages_queued + ${outcome.messagesQueued}`,
        messagesNoGrant: () => `messages_no_grant + ${outcome.messagesNoGrant}`,
      })
      .where('id = :id', { id: run.id })
      .execute();
    return outcome;
  }

  /** How far ahead a coupon-expiry schedule looks: the reminder system campaign follows its config. */
  private daysBefore(campaign: Campaign): number {
    return campaign.systemKey === SystemCampaign.CouponReminder
      ? this.config.messages.couponExpiringReminder.daysBefore
      : (campaign.daysBefore ?? 0);
  }

  /**
   * The expiry reminder's message: one per expiring coupon of each reachable member (its name and last day), the
   * outbox's dedupe key `coupon-expiring:<coupon id>` making it once per coupon across runs. Answers how many were new.
   */
  private async remindOfExpiringCoupons(em: EntityManager, run: CampaignRun, reachable: Array<{ id: number }>): Promise<number> {
    const timeZone = this.config.businessCalendar.timeZone;
    const daysBefore = this.config.messages.couponExpiringReminder.daysBefore;
    const from = addBusinessDays(run.asOf, daysBefore, timeZone);
    const to = addBusinessDays(from, 1, timeZone);
    let queued = 0;
    for (let i = 0; i < reachable.length; i += ROWS_PER_STATEMENT) {
      const batch = reachable.slice(i, i + ROWS_PER_STATEMENT).map((m) => m.id);
      const coupons: Array<{ id: number | string; memberId: number | string; validUntil: Date | string; name: string }> = await em.query(
        `SELECT c.id, c.member_id AS memberId, c.valid_until AS validUntil, t.name FROM coupon c JOIN coupon_template t ON t.id = c.template_id
          WHERE c.member_id IN (${batch.map(() => '?').join(', ')}) AND c.status = ? AND c.valid_until >= ? AND c.valid_until < ? ORDER BY c.id`,
        [...batch, CouponStatus.Available, sqlDate(em, from), sqlDate(em, to)],
      );
      for (const coupon of coupons) {
        const outcome = await this.messages.queue(em, {
          memberId: Number(coupon.memberId),
          kind: MessageKind.CouponExpiring,
          vars: { couponName: coupon.name, expiresOn: businessDate(sqlDateValue(coupon.validUntil), timeZone) as CalendarDate },
          dedupeKey: `coupon-expiring:${coupon.id}`,
        });
        if (outcome === 'queued') queued++;
      }
    }
    return queued;
  }

  /** The run's audience as SQL over `member m` (joined with member_rfm when the filter needs it). */
  private audienceSql(em: EntityManager, campaign: Campaign, run: CampaignRun): { from: string; where: string; params: unknown[] } {
    const timeZone = this.config.businessCalendar.timeZone;
    const query = audienceQuery(JSON.parse(campaign.filter) as AudienceFilter, {
      now: run.asOf,
      timeZone,
      date: (value) => sqlDate(em, value),
    });
    const from = query.from.includes('member m') ? query.from : `${query.from} JOIN member m ON m.id = ${query.memberId}`;
    const where = [query.where, 'm.joined_at IS NOT NULL'];
    const params = [...query.params];
    const day = (offset: number) => sqlDate(em, addBusinessDays(run.asOf, offset, timeZone));
    if (campaign.schedule === CampaignSchedule.Reactivation) {
      // Exactly N days quiet today: a member is reached once per quiet spell, on the day it reaches N.
      where.push('m.last_purchase_at >= ? AND m.last_purchase_at < ?');
      params.push(day(-(campaign.dormantDays ?? 0)), day(1 - (campaign.dormantDays ?? 0)));
    } else if (campaign.schedule === CampaignSchedule.CouponExpiry) {
      where.push(
        `EXISTS (SELECT 1 FROM coupon c WHERE c.member_id = m.id AND c.status = '${CouponStatus.Available}' AND c.valid_until >= ? AND c.valid_until < ?)`,
      );
      const daysBefore = this.daysBefore(campaign);
      params.push(day(daysBefore), day(daysBefore + 1));
    } else if (campaign.schedule === CampaignSchedule.Birthday) {
      // Members in the birthday window open today (the birthday perks' own rule, shared/rules/birthday.ts: a
      // month, or a day with 29 February celebrated on the 28th in non-leap years), once a year: a daily run
      // also reaches those who set their birthday (or joined) after the window opened, never anyone twice a year.
      const window = birthdayWindowContaining(businessDate(run.asOf, timeZone) as CalendarDate, this.config.birthday.perk.window);
      where.push(`m.birthday_month = ? AND m.birthday_day IN (${window.days.map(() => '?').join(', ')})`);
      params.push(window.month, ...window.days);
      where.push(
        'NOT EXISTS (SELECT 1 FROM campaign_member seen JOIN campaign_run r ON r.id = seen.run_id WHERE seen.member_id = m.id AND r.campaign_id = ? AND r.id <> ? AND r.period LIKE ?)',
      );
      params.push(campaign.id, run.id, `${window.year}-%`);
    }
    return { from, where: where.map((w) => `(${w})`).join(' AND '), params };
  }

  /**
   * The chunk's coupons: stock for all of them in one conditional UPDATE (when short or paused, what is left,
   * under the template's lock), then the rows, set-based over the chunk's treated members (CouponIssuer).
   * Answers how many were issued (to the first members by id when short).
   */
  private async issueCoupons(
    em: EntityManager,
    run: CampaignRun,
    template: CouponTemplate,
    chunk: { from: number; to: number; treatedCount: number },
    now: Date,
  ): Promise<number> {
    let count = chunk.treatedCount;
    if (!(await this.coupons.takeStock(em, template.id, count))) count = await this.coupons.takeRemainingStock(em, template.id, count);
    if (count === 0) return 0;
    const { validFrom, validUntil } = couponValidity(validityOf(template), now, this.config.businessCalendar.timeZone);
    await this.coupons.issueToSelection(
      em,
      {
        templateId: template.id,
        seq: campaignCouponSeq(run.id),
        idempotencyKey: campaignCouponKey(run.id),
        validFrom,
        validUntil,
        at: now,
      },
      {
        memberId: 'cm.member_id',
        from: 'campaign_member cm',
        where: 'cm.run_id = ? AND cm.member_id BETWEEN ? AND ? AND cm.holdout = 0',
        params: [run.id, chunk.from, chunk.to],
        limit: count,
      },
    );
    return count;
  }

  private async finish(run: CampaignRun, campaign: Campaign): Promise<void> {
    const now = this.clock.now();
    await this.transactions.run(async (em) => {
      const done = await em
        .createQueryBuilder()
        .update(CampaignRun)
        .set({ status: CampaignRunStatus.Done, finishedAt: now })
        .where('id = :id AND status = :issuing', { id: run.id, issuing: CampaignRunStatus.Issuing })
        .execute();
      const oneOff = campaign.schedule === CampaignSchedule.Now || campaign.schedule === CampaignSchedule.At;
      if (done.affected === 1 && oneOff)
        await em.update(Campaign, { id: campaign.id, status: CampaignStatus.Active }, { status: CampaignStatus.Ended });
    });
    this.logger.log({ runId: run.id, campaignId: campaign.id }, 'campaign run finished');
  }
}
