import type { AppConfig } from '@member/config';
import { CampaignRunStatus, CampaignSchedule, CampaignStatus } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { sqlDate } from '../database/sql';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { Campaign, CampaignRun, CampaignRunChunk } from './campaign.entities';
import { CampaignOffers, needsMemberIds, StockRanShort, treatedInChunk } from './campaign-offers';
import { CampaignPlans } from './campaign-plans';
import type { MemberIdsSql } from '../members/members.repository';
import { memberIdChunks } from './member-id-chunks';

/** A chunk rolled back by a unique key (a coupon-code clash, a second run's grant of the same year) is tried again. */
const MAX_CHUNK_ATTEMPTS = 5;

/**
 * Chunks of one run issued at once by one call on MySQL, each its own transaction and connection (at most a
 * quarter of the pool). Measured on the birthday benchmark (2 cores): 1 → 0.28 of the baseline, 2 → 0.47,
 * 3 → 0.50, 4 → 0.52, 6 no better. The embedded SQLite has one writer: one.
 */
const PARALLEL_CHUNKS = 4;

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
 * one chunk of member ids per transaction, chunks aligned to multiples of the span (so every instance cuts the
 * same ones). A chunk's first statement inserts its claim row (campaign_run_chunk: run, first member id), so two
 * instances working on the same run take different chunks and a chunk is done once; everything the chunk gives
 * (members, coupons, points, double points, queued messages, a program's own record, the run's counters) commits
 * with the claim, or none of it does. On MySQL a call issues PARALLEL_CHUNKS chunks at once, in READ COMMITTED
 * (so the set-based reads take no shared locks on what the other chunks write), each committing as soon as it is
 * done; the coupon stock and the run's counters are taken last, so their rows are locked only for the end of a
 * chunk. What a chunk gives is the run's plan (CampaignPlans), applied by CampaignOffers.
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
   * `onProgress` hears (chunks of the run done, chunks in all) after each chunk this call issued. When a chunk fails
   * (or `onProgress` throws), no further chunk starts, the chunks in flight finish (each commits or rolls back whole),
   * and the call fails with its error, as if the instance had died there: the next call carries on with the rest.
   */
  async issue(runId: number, onProgress?: (done: number, total: number) => void): Promise<IssueReport> {
    const given = nothing();
    let chunksIssued = 0;
    let state = await this.stateOf(runId);
    const chunks = this.chunksOf(state.run);
    const report = () => ({ run: state.run, chunks: chunks.length, chunksIssued, given });
    if (!this.canIssue(state)) return report();
    const done = await this.chunksDone(runId);
    const todo = chunks.filter(([from]) => !done.has(from));
    let doneCount = chunks.length - todo.length;
    let next = 0;
    let stopped = false;
    // Chunks commit in whatever order they finish: none of them ever waits for another outside the database. (Until
    // issue 17 a chunk waited here for the one before it to commit, holding its own rows meanwhile; a chunk redone
    // after a rollback, e.g. of an instance that died, can need a lock on the next chunk's first coupon (InnoDB's
    // duplicate check on uq_coupon_idempotency locks the next record), so the lower chunk waited in InnoDB for the
    // higher one, which waited here for the lower one: a wait InnoDB cannot see, ended only by lock wait timeouts,
    // minutes with the retries. Every wait between chunks is now one InnoDB sees, and breaks as a deadlock at once.)
    const worker = async () => {
      while (!stopped && next < todo.length) {
        const [from, to] = todo[next++];
        if (!(await this.stillIssuing(runId))) {
          stopped = true; // paused, or finished by another call
          return;
        }
        if (stopped) return; // a chunk failed while this one was being looked up: no chunk starts after a failure
        let outcome: ChunkOutcome | null;
        try {
          outcome = await this.issueChunk(state.run, state.campaign, from, to);
        } catch (error) {
          stopped = true; // no new chunk starts; those in flight finish
          throw error;
        }
        if (outcome === null) continue; // another call took this chunk
        chunksIssued++;
        for (const key of Object.keys(given) as Array<keyof ChunkOutcome>) given[key] += outcome[key];
        try {
          onProgress?.(++doneCount, chunks.length);
        } catch (error) {
          stopped = true;
          throw error;
        }
      }
    };
    const workers = this.transactions.isEmbedded
      ? 1
      : Math.max(1, Math.min(PARALLEL_CHUNKS, Math.floor(this.config.database.poolSize / 4)));
    const outcomes = await Promise.allSettled(Array.from({ length: workers }, worker));
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    state = await this.stateOf(runId);
    // Every chunk claimed is committed by now (a claim waits for the other's commit), so all are done unless paused.
    if (this.canIssue(state) && (await this.chunksDone(runId)).size >= chunks.length) {
      await this.finish(state.run, state.campaign);
      state = await this.stateOf(runId);
    }
    return report();
  }

  private async stateOf(runId: number): Promise<{ run: CampaignRun; campaign: Campaign }> {
    const run = await this.dataSource.getRepository(CampaignRun).findOneByOrFail({ id: runId });
    const campaign = await this.dataSource.getRepository(Campaign).findOneByOrFail({ id: run.campaignId });
    return { run, campaign };
  }

  /** Whether the run is still to be issued: not done, its campaign not paused (read before each chunk). */
  private async stillIssuing(runId: number): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      'SELECT r.status AS run, c.status AS campaign FROM campaign_run r JOIN campaign c ON c.id = r.campaign_id WHERE r.id = ?',
      [runId],
    )) as Array<{ run: string; campaign: string }>;
    return row.run !== CampaignRunStatus.Done && row.campaign !== CampaignStatus.Paused;
  }

  private canIssue({ run, campaign }: { run: CampaignRun; campaign: Campaign }): boolean {
    if (run.status === CampaignRunStatus.Done || campaign.status === CampaignStatus.Paused) return false;
    if (this.plans.canPlan(campaign)) return true;
    // A system campaign whose module this instance does not load: an instance that does issues it.
    this.logger.warn({ runId: run.id, system: campaign.systemKey }, 'campaign run left to an instance with its program');
    return false;
  }

  /** The run's chunks: aligned id ranges from where its chunks start (next_member_id, see CampaignRun) to its last member id. */
  private chunksOf(run: CampaignRun): Array<[number, number]> {
    const start = Math.max(1, run.nextMemberId);
    return memberIdChunks(start, run.lastMemberId, this.chunkSpan).map(([from, to]) => [
      Math.max(from, start),
      Math.min(to, run.lastMemberId),
    ]);
  }

  private async chunksDone(runId: number): Promise<Set<number>> {
    const rows = await this.dataSource.getRepository(CampaignRunChunk).find({ select: { firstMemberId: true }, where: { runId } });
    return new Set(rows.map((row) => row.firstMemberId));
  }

  private async issueChunk(run: CampaignRun, campaign: Campaign, from: number, to: number): Promise<ChunkOutcome | null> {
    let scarce = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.transactions.run((em) => this.issueChunkWithin(em, run, campaign, from, to, scarce), {
          isolation: 'READ COMMITTED',
        });
        if (outcome) this.logger.debug({ runId: run.id, from, to, ...outcome }, 'campaign chunk issued');
        return outcome;
      } catch (error) {
        // The stock could not cover the chunk's coupons: again, taking what is left under the template's lock.
        if (error instanceof StockRanShort && !scarce) {
          scarce = true;
          continue;
        }
        // A fresh coupon code that happens to exist already rolls the chunk back: new codes next time.
        if (attempt < MAX_CHUNK_ATTEMPTS && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** Null when another call took this chunk first. */
  private async issueChunkWithin(
    em: EntityManager,
    run: CampaignRun,
    campaign: Campaign,
    from: number,
    to: number,
    scarce: boolean,
  ): Promise<ChunkOutcome | null> {
    const now = this.clock.now();
    try {
      // The claim: another call's committed claim of this chunk fails the insert at once, one in flight is waited for.
      await em.insert(CampaignRunChunk, { runId: run.id, firstMemberId: from, lastMemberId: to, createdAt: now });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
    const plan = await this.plans.planOf(em, campaign, run, now);

    // 1. Who: the audience as of the run, within the chunk; the holdout is a deterministic share by member id.
    const audience = plan.audience;
    const inserted = await em.queryRunner!.query(
      `INSERT INTO campaign_member (run_id, member_id, holdout, created_at)
       SELECT ?, m.id, CASE WHEN (m.id * 7919 + ?) % 1000 < ? THEN 1 ELSE 0 END, ? FROM ${audience.from}
        WHERE (${audience.where}) AND m.id BETWEEN ? AND ?`,
      [run.id, run.id * 104_729, campaign.holdoutPermille, sqlDate(em, now), ...audience.params, from, to],
      true,
    );
    const targeted = inserted.affected ?? 0;
    const heldOut = campaign.holdoutPermille > 0 && targeted > 0 ? await this.heldOutIn(em, run.id, from, to) : 0;
    const treatedCount = targeted - heldOut;
    const treated = treatedInChunk(run.id, from, to);
    // The treated members' ids are read only when an offer needs them in Node.
    const treatedIds = treatedCount > 0 && needsMemberIds(plan) ? await this.idsOf(em, treated) : [];

    // 2. What: the plan's offers (coupon, points, double points, the program's record, message).
    const outcome: ChunkOutcome = {
      targeted,
      heldOut,
      ...(await this.offers.give(em, plan, { runId: run.id, from, to, treated, treatedCount, treatedIds, now }, { scarce })),
    };

    // 3. The end: the coupons' stock (the template row's lock) and the run's counters (the run row's), each held
    // only from here to the commit, taken in this order by every chunk.
    await this.offers.takeStock(em, plan, outcome.couponsIssued, { scarce });

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

  private async idsOf(em: EntityManager, members: MemberIdsSql): Promise<number[]> {
    const rows: Array<{ memberId: number | string }> = await em.query(
      `SELECT ${members.memberId} AS memberId FROM ${members.from} WHERE ${members.where} ORDER BY ${members.memberId}`,
      members.params,
    );
    return rows.map((row) => Number(row.memberId));
  }

  /** How many of the chunk's members the holdout took (none unless the campaign holds some out). */
  private async heldOutIn(em: EntityManager, runId: number, from: number, to: number): Promise<number> {
    const [row] = (await em.query(
      'SELECT COUNT(*) AS heldOut FROM campaign_member WHERE run_id = ? AND member_id BETWEEN ? AND ? AND holdout = ?',
      [runId, from, to, true],
    )) as Array<{ heldOut: number | string }>;
    return Number(row.heldOut);
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
