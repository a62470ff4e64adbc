import type { AppConfig } from '@member/config';
import { CampaignRunStatus, CampaignSchedule, CampaignStatus } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { sqlDate } from '../database/sql';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { Campaign, CampaignRun } from './campaign.entities';
import { CampaignOffers, needsMemberIds } from './campaign-offers';
import { CampaignPlans } from './campaign-plans';
import { chunkEnd, chunksUpTo } from './member-id-chunks';

/** A chunk rolled back by a unique key (a coupon-code clash, a second run's grant of the same year) is tried again. */
const MAX_CHUNK_ATTEMPTS = 5;

/** What one chunk gave; added to the run's counters in the chunk's own transaction. */
export interface ChunkOutcome {
  targeted: number;
  heldOut: number;
  couponsIssued: number;
  couponsShort: number;
  pointsGranted: number;
  messagesQueued: number;
  messagesNoGrant: number;
}

/** What one call of `issue` did, beside the run as it left it. */
export interface IssueReport {
  run: CampaignRun;
  /** The run's chunks (member id ranges) in all, and how many of them this call issued; the rest were issued by other calls. */
  chunks: number;
  chunksIssued: number;
  /** What this call's chunks gave (the run's counters hold every call's). */
  given: ChunkOutcome;
}

const nothing = (): ChunkOutcome => ({
  targeted: 0,
  heldOut: 0,
  couponsIssued: 0,
  couponsShort: 0,
  pointsGranted: 0,
  messagesQueued: 0,
  messagesNoGrant: 0,
});

/**
 * The campaign runner, the one engine for staff and system campaigns: issues a run to its audience, set-based,
 * one chunk of member ids per transaction. The chunk's first statement moves the run's checkpoint
 * conditionally (`next_member_id = :from`), so two instances working on the same run take different chunks and a
 * chunk is done once; everything the chunk gives (members, coupons, points, double points, queued messages, a
 * program's own record) commits with the checkpoint, or none of it does. What a chunk gives is the run's plan
 * (CampaignPlans), applied by CampaignOffers.
 */
@Injectable()
export class CampaignIssuer {
  private readonly logger = new Logger(CampaignIssuer.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly plans: CampaignPlans,
    private readonly offers: CampaignOffers,
  ) {}

  private get chunkSpan(): number {
    return this.config.campaigns.chunkMemberIds;
  }

  /**
   * Works on the run until it is done (or the campaign is paused); safe to call from any number of places.
   * `onProgress` hears (chunks of the run done, chunks in all) after each chunk this call issued.
   */
  async issue(runId: number, onProgress?: (done: number, total: number) => void): Promise<IssueReport> {
    const given = nothing();
    let chunksIssued = 0;
    for (;;) {
      const run = await this.dataSource.getRepository(CampaignRun).findOneByOrFail({ id: runId });
      const chunks = chunksUpTo(run.lastMemberId, this.chunkSpan);
      const report = () => ({ run, chunks, chunksIssued, given });
      if (run.status === CampaignRunStatus.Done) return report();
      const campaign = await this.dataSource.getRepository(Campaign).findOneByOrFail({ id: run.campaignId });
      if (campaign.status === CampaignStatus.Paused) return report();
      if (!this.plans.canPlan(campaign)) {
        // A system campaign whose module this instance does not load: an instance that does issues it.
        this.logger.warn({ runId, system: campaign.systemKey }, 'campaign run left to an instance with its program');
        return report();
      }
      if (run.nextMemberId > run.lastMemberId) {
        await this.finish(run, campaign);
        continue;
      }
      const from = run.nextMemberId;
      const to = Math.min(run.lastMemberId, chunkEnd(from, this.chunkSpan));
      const outcome = await this.issueChunk(run, campaign, from, to);
      if (outcome === null) continue; // another call took this chunk
      chunksIssued++;
      for (const key of Object.keys(given) as Array<keyof ChunkOutcome>) given[key] += outcome[key];
      onProgress?.(chunksUpTo(to, this.chunkSpan), chunks);
    }
  }

  private async issueChunk(run: CampaignRun, campaign: Campaign, from: number, to: number): Promise<ChunkOutcome | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.transactions.run((em) => this.issueChunkWithin(em, run, campaign, from, to));
        if (outcome) this.logger.debug({ runId: run.id, from, to, ...outcome }, 'campaign chunk issued');
        return outcome;
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
    const plan = await this.plans.planOf(em, campaign, run, now);

    // 1. Who: the audience as of the run, within the chunk; the holdout is a deterministic share by member id.
    const audience = plan.audience;
    await em.query(
      `INSERT INTO campaign_member (run_id, member_id, holdout, created_at)
       SELECT ?, m.id, CASE WHEN (m.id * 7919 + ?) % 1000 < ? THEN 1 ELSE 0 END, ? FROM ${audience.from}
        WHERE (${audience.where}) AND m.id BETWEEN ? AND ?`,
      [run.id, run.id * 104_729, campaign.holdoutPermille, sqlDate(em, now), ...audience.params, from, to],
    );
    const [counts] = (await em.query(
      'SELECT COUNT(*) AS targeted, SUM(CASE WHEN holdout THEN 1 ELSE 0 END) AS heldOut FROM campaign_member WHERE run_id = ? AND member_id BETWEEN ? AND ?',
      [run.id, from, to],
    )) as Array<{ targeted: number | string; heldOut: number | string | null }>;
    const targeted = Number(counts.targeted);
    const heldOut = Number(counts.heldOut ?? 0);
    const treatedCount = targeted - heldOut;
    // The treated members' ids are read only when an offer gives to them one by one.
    const treated =
      treatedCount > 0 && needsMemberIds(plan)
        ? (
            (await em.query(
              'SELECT member_id AS memberId FROM campaign_member WHERE run_id = ? AND member_id BETWEEN ? AND ? AND holdout = ? ORDER BY member_id',
              [run.id, from, to, false],
            )) as Array<{ memberId: number | string }>
          ).map((m) => Number(m.memberId))
        : [];

    // 2. What: the plan's offers (coupon, points, double points, the program's record, message).
    const outcome: ChunkOutcome = {
      targeted,
      heldOut,
      ...(await this.offers.give(em, plan, { runId: run.id, from, to, treated, treatedCount, now })),
    };

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
