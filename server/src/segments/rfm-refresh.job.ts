import { randomUUID } from 'node:crypto';
import type { AppConfig } from '@member/config';
import {
  quintilePositions,
  RFM_SEGMENTS,
  type QuintileThresholds,
  type RfmPopulationThresholds,
  type RfmSegment,
  type SegmentsRefreshResponse,
} from '@member/shared';
import { Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock, startOfBusinessDay } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { sqlDate, sqlDateValue } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { MemberRfmRefresh } from './member-rfm.entity';
import {
  measureChunkSql,
  rfmChunks,
  SCORED_COUNT_SQL,
  scoreChunkSql,
  SEGMENT_COUNTS_SQL,
  thresholdSql,
  type RfmMetricColumn,
} from './rfm-sql';

const STATE_ID = 1;
/**
 * A refresh that has not shown it is alive (it does after every chunk, a second or so apart) for this long is
 * presumed dead, and the next one may start.
 */
const LEASE_STALE_AFTER_SECONDS = 600;

/**
 * The RFM refresh: every joined member's recency, frequency and monetary value over the configured window, the
 * 12-month spend, scores by quintiles among the members who bought in the window, and the segment, into
 * member_rfm, where the audience preview counts them through indexes.
 *
 * Set-based and chunked by member id range, in two passes: measure (one INSERT … SELECT … upsert per range),
 * then, after one query per metric finds its quintile thresholds over the whole scored population, score (one
 * UPDATE … CASE per range). Each statement is its own short transaction. The result depends only on the data and
 * the clock, so running it again changes nothing, and a refresh that dies halfway leaves rows the next one
 * simply rewrites.
 *
 * One refresh at a time across all instances: a lease on the state row (conditional UPDATE), renewed after
 * every chunk. Thresholds computed while another refresh is half way through its measuring would mix two
 * clocks; with the lease, a second request answers SEGMENTS_REFRESH_RUNNING instead. The schedule claims its
 * period as well (a declared job), so N instances do one refresh per period.
 */
@ScheduledJob({ name: 'rfm-refresh', every: (config) => config.segments.refreshEverySeconds })
export class RfmRefreshJob implements DeclaredJob<SegmentsRefreshResponse | null> {
  private readonly logger = new Logger(RfmRefreshJob.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** The scheduled refresh: null when one staff started holds the lease (that one serves this period). */
  run(): Promise<SegmentsRefreshResponse | null> {
    return this.refresh().catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'SEGMENTS_REFRESH_RUNNING') return null;
      throw error;
    });
  }

  outcome(result: SegmentsRefreshResponse | null): string {
    return result
      ? `${result.members} members, ${result.scoredMembers} scored, ${result.tookMs} ms`
      : 'skipped: a refresh staff started was running';
  }

  /** Refreshes every member's RFM row now. SEGMENTS_REFRESH_RUNNING when another refresh holds the lease. */
  async refresh(): Promise<SegmentsRefreshResponse> {
    const started = performance.now();
    // Whole seconds: what MySQL's datetime keeps, so the reported computedAt is the stored one.
    const now = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000);
    const token = randomUUID();
    if (!(await this.takeLease(token))) throw new DomainError('SEGMENTS_REFRESH_RUNNING');
    try {
      const chunks = await this.memberChunks();
      for (const [first, last] of chunks) {
        await this.measureChunk(now, first, last);
        await this.renewLease(token);
      }
      const { scored, thresholds } = await this.populationThresholds();
      const { newMemberDays } = this.config.segments;
      const scoring = scoreChunkSql(thresholds, this.config.segments.rules, { newMembers: newMemberDays > 0 });
      const joinedAfter = sqlDate(this.dataSource.manager, new Date(now.getTime() - newMemberDays * 86_400_000));
      for (const [first, last] of chunks) {
        const params = newMemberDays > 0 ? [joinedAfter, first, last] : [first, last];
        await this.transactions.run((em) => em.query(scoring, params));
        await this.renewLease(token);
      }
      const summary = await this.summarize(now, scored, thresholds, Math.round(performance.now() - started));
      await this.finish(token, now, summary);
      this.logger.log({ members: summary.members, scored: summary.scoredMembers, tookMs: summary.tookMs }, 'RFM refreshed');
      return summary;
    } catch (error) {
      await this.releaseLease(token).catch(() => undefined);
      throw error;
    }
  }

  /** The last finished refresh, or null before the first. */
  async lastRefresh(): Promise<SegmentsRefreshResponse | null> {
    const state = await this.dataSource.getRepository(MemberRfmRefresh).findOneBy({ id: STATE_ID });
    return state?.summary ? (JSON.parse(state.summary) as SegmentsRefreshResponse) : null;
  }

  /** When the RFM rows were computed, or null before the first refresh: a primary-key read for every preview. */
  async computedAt(): Promise<Date | null> {
    const [row]: Array<{ computedAt: Date | string | null }> = await this.dataSource.query(
      'SELECT computed_at AS computedAt FROM member_rfm_refresh WHERE id = ?',
      [STATE_ID],
    );
    return row ? sqlDateValue(row.computedAt) : null;
  }

  private async memberChunks(): Promise<Array<[number, number]>> {
    const [span]: Array<{ first: number | string | null; last: number | string | null }> = await this.dataSource.query(
      'SELECT MIN(id) AS first, MAX(id) AS last FROM member',
    );
    return span.first === null || span.last === null ? [] : rfmChunks(Number(span.first), Number(span.last));
  }

  private async measureChunk(now: Date, first: number, last: number): Promise<void> {
    const zone = this.config.businessCalendar.timeZone;
    const local = DateTime.fromJSDate(now, { zone });
    const rfmSince = local.minus({ months: this.config.segments.windowMonths }).toJSDate();
    const spendSince = local.minus({ months: this.config.tierWindowMonths }).toJSDate();
    const purchasesSince = rfmSince < spendSince ? rfmSince : spendSince;
    const em = this.dataSource.manager;
    const statement = measureChunkSql(this.dataSource, {
      startOfToday: sqlDate(em, startOfBusinessDay(now, zone)),
      rfmSince: sqlDate(em, rfmSince),
      spendSince: sqlDate(em, spendSince),
      purchasesSince: sqlDate(em, purchasesSince),
      computedAt: sqlDate(em, now),
      firstMemberId: first,
      lastMemberId: last,
    });
    // READ COMMITTED on MySQL: an INSERT … SELECT under REPEATABLE READ share-locks every member and purchase row
    // it reads, which would hold up purchases of these members (they lock the member row) for the statement.
    await this.transactions.run((em: EntityManager) => em.query(statement.sql, statement.params), { isolation: 'READ COMMITTED' });
  }

  private async populationThresholds(): Promise<{ scored: number; thresholds: RfmPopulationThresholds | null }> {
    const [count]: Array<{ n: number | string }> = await this.dataSource.query(SCORED_COUNT_SQL);
    const scored = Number(count.n);
    // Quintiles of a handful of buyers rank noise: with one buyer r = f = m = 1 and a member who bought five
    // times this morning reads 沉睡. Below the minimum every buyer is 待分层 (unranked) until there are enough.
    if (scored === 0 || scored < this.config.segments.minimumScoredMembers) return { scored, thresholds: null };
    const positions = quintilePositions(scored);
    const valuesAt = async (column: RfmMetricColumn): Promise<QuintileThresholds> => {
      const rows: Array<{ pos: number | string; v: number | string }> = await this.dataSource.query(thresholdSql(column), positions);
      const byPosition = new Map(rows.map((row) => [Number(row.pos), Number(row.v)]));
      return positions.map((position) => {
        const value = byPosition.get(position);
        if (value === undefined)
          throw new Error(`RFM threshold of ${column} at ${position} of ${scored} is missing: members changed under the lease`);
        return value;
      }) as unknown as QuintileThresholds;
    };
    return {
      scored,
      thresholds: {
        recencyDays: await valuesAt('recency_days'),
        frequency: await valuesAt('frequency'),
        monetaryFen: await valuesAt('monetary_fen'),
      },
    };
  }

  private async summarize(
    now: Date,
    scored: number,
    thresholds: RfmPopulationThresholds | null,
    tookMs: number,
  ): Promise<SegmentsRefreshResponse> {
    const rows: Array<{ segment: RfmSegment | null; n: number | string }> = await this.dataSource.query(SEGMENT_COUNTS_SQL);
    const segments = Object.fromEntries(RFM_SEGMENTS.map((segment) => [segment, 0])) as Record<RfmSegment, number>;
    let members = 0;
    for (const row of rows) {
      members += Number(row.n);
      if (row.segment) segments[row.segment] = Number(row.n);
    }
    return {
      computedAt: now.toISOString(),
      windowMonths: this.config.segments.windowMonths,
      members,
      scoredMembers: scored,
      minimumScoredMembers: this.config.segments.minimumScoredMembers,
      segments,
      thresholds: thresholds && {
        recencyDays: [...thresholds.recencyDays],
        frequency: [...thresholds.frequency],
        monetaryFen: [...thresholds.monetaryFen],
      },
      tookMs,
    };
  }

  /** Conditional UPDATE: of refreshes starting at once, one moves the token in and the others no longer match. */
  private async takeLease(token: string): Promise<boolean> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - LEASE_STALE_AFTER_SECONDS * 1000);
    const taken = await this.transactions.run((em) =>
      em
        .createQueryBuilder()
        .update(MemberRfmRefresh)
        .set({ leaseToken: token, leaseHeartbeatAt: now })
        .where('id = :id AND (lease_token IS NULL OR lease_heartbeat_at < :staleBefore)', { id: STATE_ID, staleBefore })
        .execute(),
    );
    return taken.affected === 1;
  }

  /** Shows the lease's holder is alive; a refresh whose lease was taken over (it stalled) stops. */
  private async renewLease(token: string): Promise<void> {
    const renewed = await this.transactions.run((em) =>
      em
        .createQueryBuilder()
        .update(MemberRfmRefresh)
        .set({ leaseHeartbeatAt: this.clock.now() })
        .where('id = :id AND lease_token = :token', { id: STATE_ID, token })
        .execute(),
    );
    if (renewed.affected !== 1) throw new Error('the RFM refresh lost its lease (stalled past the stale limit): another refresh took over');
  }

  private async releaseLease(token: string): Promise<void> {
    await this.transactions.run((em) =>
      em
        .createQueryBuilder()
        .update(MemberRfmRefresh)
        .set({ leaseToken: null, leaseHeartbeatAt: null })
        .where('id = :id AND lease_token = :token', { id: STATE_ID, token })
        .execute(),
    );
  }

  private async finish(token: string, now: Date, summary: SegmentsRefreshResponse): Promise<void> {
    await this.transactions.run((em) =>
      em
        .createQueryBuilder()
        .update(MemberRfmRefresh)
        .set({ leaseToken: null, leaseHeartbeatAt: null, computedAt: now, summary: JSON.stringify(summary) })
        .where('id = :id AND lease_token = :token', { id: STATE_ID, token })
        .execute(),
    );
  }
}
