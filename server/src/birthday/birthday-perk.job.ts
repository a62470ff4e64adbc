import type { AppConfig } from '@member/config';
import { birthdayWindowContaining, MessageKind, type BirthdayPerkRunResult, type BirthdayWindow, type CalendarDate } from '@member/shared';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { businessDate, Clock } from '../common/clock';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { CouponTemplate } from '../coupons/coupon-template.entity';
import { couponValidity } from '../coupons/coupon-rules';
import { validityOf } from '../coupons/coupon.views';
import { sqlDate } from '../database/sql';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { JobRunner } from '../jobs/job-runner';
import { countSystemRun, finishSystemRun, startSystemRun, SystemCampaign } from '../campaigns/system-campaigns';
import { reachableMembers } from '../messages/message-reach';
import { MessagesService } from '../messages/messages.service';
import { birthdayCandidateParams, birthdayCandidatesSql, birthdayChunks, birthdayCouponKey, birthdaySpanSql } from './birthday-sql';

/** How often an instance looks whether today's run is due (it runs once a day, at runAtLocalTime). */
const CHECK_EVERY_SECONDS = 60;
/**
 * A day's run that has not finished this long after it started is presumed dead (its instance crashed or
 * was stopped) and another instance takes it over, resuming from the checkpoints. Safe even when the first
 * run was merely slow: two runs at once grant each perk once (each chunk's checkpoint admits one of them).
 */
const TAKE_OVER_AFTER_SECONDS = 15 * 60;
/** Chunks worked at once on MySQL. They touch disjoint members; the embedded SQLite has one writer anyway. */
const PARALLEL_CHUNKS = 2;
/**
 * Rows per multi-row INSERT and ids per IN list. MySQL takes 65,535 placeholders a statement (a coupon row has
 * 10); fewer, larger statements cost fewer round trips. SQLite builds may stop at 999 or 32,766: stay small.
 */
const ROWS_PER_STATEMENT = { mysql: 2000, sqlite: 90 };
/** A chunk is retried when a fresh coupon code collides with an existing one (unique index), at worst. */
const MAX_CHUNK_ATTEMPTS = 3;

interface RunContext {
  now: Date;
  runOn: CalendarDate;
  window: BirthdayWindow;
  /** The last second of the window: double points through it. */
  doublePointsUntil: Date;
  coupon: { templateId: number; templateName: string; validFrom: Date; validUntil: Date } | null;
  /** The day's run of the birthday system campaign, counted chunk by chunk (null without the campaign row). */
  systemRunId: number | null;
}

interface ChunkOutcome {
  skipped: boolean;
  perks: number;
  coupons: number;
}

/** Thrown inside a chunk's transaction when its coupons do not all fit the stock: it rolls back and retries scarce. */
class StockRanShort extends Error {}

/**
 * The birthday perk (生日礼遇): once a day (Asia/Shanghai by default) every joined member whose birthday window
 * is open gets, once per year, the birthday coupon and double points until the window closes.
 *
 * Set-based and chunked: members are found through idx_member_birthday one member id range at a time, and
 * each range is one short transaction of set statements: coupons by INSERT … SELECT with codes drawn by the
 * database (multi-row VALUES with codes from Node on the embedded SQLite), perks by INSERT … SELECT from those
 * coupons, the members' double points, the stock. Once a year holds by unique keys, not by care:
 * birthday_perk (member, year), and the coupon's (member, idempotency key `birthday:<year>`) and (template,
 * member, seq = year). Each range starts by inserting its checkpoint (run day, first id), so a rerun or a
 * second instance skips what is done, and a crashed run resumes where it stopped.
 *
 * Stock: a range's coupons are inserted first and their stock taken last, by one conditional UPDATE for the
 * whole range (`claimed_count + n <= total_stock`), so the template row is locked only for the end of the
 * range's transaction. If the stock cannot cover the range, the range rolls back and runs again "scarce":
 * it locks the template row, takes what is left, and the members after that (in id order) get double points
 * without the coupon. No per-coupon race, and the counter only ever moves by a conditional relative UPDATE.
 *
 * Every window that is open on the run's day is worked, not only the one that opens that day: a month window
 * whose first day was missed (an outage) is caught up on the 2nd, and a member who sets a birthday inside
 * their window gets the perk at the next daily run. One perk per calendar year whatever the birthday says,
 * and the birthday itself changes at most once a year.
 */
@Injectable()
export class BirthdayPerkJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BirthdayPerkJob.name);
  private stop: () => void = () => undefined;
  /** The last business day this instance saw the run finished: no more tries that day. */
  private finishedOn: CalendarDate | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    private readonly messages: MessagesService,
    private readonly coupons: CouponIssuer,
  ) {}

  onApplicationBootstrap(): void {
    // In test mode the clock jumps wherever a test puts it; tests run the job themselves (runScheduled, or
    // POST /api/test/jobs/birthday), so it never fires in the middle of another test.
    if (this.config.env === 'test') return;
    this.stop = this.jobs.repeat(CHECK_EVERY_SECONDS, 'birthday-perks', () => this.runScheduled());
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /**
   * The scheduled entry point: from runAtLocalTime on, one run per business day across all instances (a dead
   * run is taken over). Answers what this instance's run did, or null when it did not run.
   */
  async runScheduled(): Promise<BirthdayPerkRunResult | null> {
    const now = this.clock.now();
    const local = DateTime.fromJSDate(now, { zone: this.config.businessCalendar.timeZone });
    if (local.toFormat('HH:mm') < this.config.birthday.perk.runAtLocalTime) return null;
    const runOn = local.toISODate() as CalendarDate;
    if (this.finishedOn === runOn) return null;
    let result: BirthdayPerkRunResult | null = null;
    const outcome = await this.jobs.runOnce(
      'birthday-perk',
      runOn,
      async () => {
        result = await this.grantPerks(now);
        return `window ${result.window.key}: ${result.perksGranted} perks, ${result.couponsIssued} coupons, ${result.couponsShort} short`;
      },
      { takeOverAfterSeconds: TAKE_OVER_AFTER_SECONDS },
    );
    if (outcome !== null || (await this.jobs.isFinished('birthday-perk', runOn))) this.finishedOn = runOn;
    return result;
  }

  /**
   * Grants the perks of the window open at `now`'s business date to every joined member born in it who has
   * none for the year. Idempotent, resumable, and safe to run from several places at once.
   */
  async grantPerks(now: Date = this.clock.now(), onProgress?: (done: number, total: number) => void): Promise<BirthdayPerkRunResult> {
    const run = await this.runContext(now);
    const { window } = run;
    run.systemRunId = await startSystemRun(this.dataSource.manager, SystemCampaign.BirthdayPerk, run.runOn, now);
    const [span]: Array<{ first: number | string | null; last: number | string | null }> = await this.dataSource.query(
      birthdaySpanSql(window.days.length),
      [window.month, ...window.days],
    );
    const chunks = span.first === null || span.last === null ? [] : birthdayChunks(Number(span.first), Number(span.last));

    const result: BirthdayPerkRunResult = {
      runOn: run.runOn,
      window: { kind: window.kind, key: window.key, year: window.year, opensOn: window.opensOn, closesOn: window.closesOn },
      perksGranted: 0,
      couponsIssued: 0,
      couponsShort: 0,
      chunksDone: 0,
      chunksSkipped: 0,
    };
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < chunks.length) {
        const [first, last] = chunks[next++];
        try {
          const outcome = await this.grantChunk(run, first, last);
          if (outcome.skipped) result.chunksSkipped++;
          else result.chunksDone++;
          result.perksGranted += outcome.perks;
          result.couponsIssued += outcome.coupons;
          if (run.coupon) result.couponsShort += outcome.perks - outcome.coupons;
          onProgress?.(result.chunksDone + result.chunksSkipped, chunks.length);
        } catch (error) {
          // The other workers stop after their current chunk; the next run resumes from the checkpoints.
          failed = true;
          throw error;
        }
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: this.transactions.isEmbedded ? 1 : PARALLEL_CHUNKS }, worker));
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    await finishSystemRun(this.dataSource.manager, run.systemRunId, this.clock.now());
    if (result.couponsShort > 0)
      this.logger.warn(
        { window: window.key, templateId: run.coupon?.templateId, short: result.couponsShort },
        'birthday coupons ran out of stock',
      );
    this.logger.log({ ...result, window: window.key }, 'birthday perks granted');
    return result;
  }

  private get rowsPerStatement(): number {
    return this.transactions.isEmbedded ? ROWS_PER_STATEMENT.sqlite : ROWS_PER_STATEMENT.mysql;
  }

  private async runContext(now: Date): Promise<RunContext> {
    const timeZone = this.config.businessCalendar.timeZone;
    const runOn = businessDate(now, timeZone);
    const window = birthdayWindowContaining(runOn, this.config.birthday.perk.window);
    const doublePointsUntil = new Date(
      DateTime.fromISO(window.closesOn, { zone: timeZone }).plus({ days: 1 }).startOf('day').toMillis() - 1000,
    );
    const templateId = this.config.birthday.perk.couponTemplateId;
    if (templateId === null) return { now, runOn, window, doublePointsUntil, coupon: null, systemRunId: null };
    const template = await this.dataSource.getRepository(CouponTemplate).findOneBy({ id: templateId });
    // A configured template that does not exist is a configuration error: stop before granting anything,
    // rather than hand out this year's perks without the coupon for good.
    if (!template) throw new Error(`birthday.perk.couponTemplateId ${templateId}: no such coupon template`);
    const { validFrom, validUntil } = couponValidity(validityOf(template), now, timeZone);
    return {
      now,
      runOn,
      window,
      doublePointsUntil,
      coupon: { templateId, templateName: template.name, validFrom, validUntil },
      systemRunId: null,
    };
  }

  private async grantChunk(run: RunContext, first: number, last: number): Promise<ChunkOutcome> {
    let scarce = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactions.run((em) => this.grantChunkWithin(em, run, first, last, scarce));
      } catch (error) {
        if (error instanceof StockRanShort) {
          scarce = true;
          continue;
        }
        // A fresh coupon code that happens to exist already: the whole chunk rolled back; new codes next time.
        if (isUniqueViolation(error) && attempt < MAX_CHUNK_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  private async grantChunkWithin(em: EntityManager, run: RunContext, first: number, last: number, scarce: boolean): Promise<ChunkOutcome> {
    const at = sqlDate(em, run.now);
    try {
      await em.query(
        'INSERT INTO birthday_perk_checkpoint (run_on, first_member_id, last_member_id, perks_granted, coupons_issued, created_at) VALUES (?, ?, ?, 0, 0, ?)',
        [run.runOn, first, last, at],
      );
    } catch (error) {
      // Another run did (or is doing: we waited for its commit) this chunk today.
      if (isUniqueViolation(error)) return { skipped: true, perks: 0, coupons: 0 };
      throw error;
    }
    const rows: Array<{ id: number | string }> = await em.query(
      birthdayCandidatesSql(run.window.days.length),
      birthdayCandidateParams(run.window, first, last),
    );
    const members = rows.map((row) => Number(row.id));
    let withCoupon: number[] = [];
    if (members.length > 0 && run.coupon) withCoupon = await this.issueCoupons(em, run, run.coupon, members, scarce);
    const withoutCoupon = members.slice(withCoupon.length);

    const until = sqlDate(em, run.doublePointsUntil);
    const couponKey = birthdayCouponKey(run.window.year);
    for (const batch of batches(withCoupon, this.rowsPerStatement)) {
      // Each perk points at its coupon, found through the coupon's own (member, idempotency key) index.
      await em.query(
        `INSERT INTO birthday_perk (member_id, year, coupon_id, double_points_until, created_at)
         SELECT c.member_id, ?, c.id, ?, ? FROM coupon c WHERE c.idempotency_key = ? AND c.member_id IN (${marks(batch.length)})`,
        [run.window.year, until, at, couponKey, ...batch],
      );
    }
    for (const batch of batches(withoutCoupon, this.rowsPerStatement)) {
      await em.query(
        `INSERT INTO birthday_perk (member_id, year, coupon_id, double_points_until, created_at) VALUES ${batch.map(() => '(?, ?, NULL, ?, ?)').join(', ')}`,
        batch.flatMap((memberId) => [memberId, run.window.year, until, at]),
      );
    }
    // Plain SQL, so the member's version (which guards profile edits) is left alone.
    for (const batch of batches(members, this.rowsPerStatement))
      await em.query(`UPDATE member SET double_points_until = ? WHERE id IN (${marks(batch.length)})`, [until, ...batch]);
    if (run.coupon && withCoupon.length > 0 && !scarce) {
      // Stock last (see the class comment): one conditional UPDATE for the whole chunk.
      if (!(await this.coupons.takeStock(em, run.coupon.templateId, withCoupon.length))) throw new StockRanShort();
    }
    const greeted = await this.queueGreetings(em, run, members, new Set(withCoupon));
    // Staff see the day's perks as the birthday system campaign's run: counted with the chunk, so exactly once.
    await countSystemRun(em, run.systemRunId, {
      targeted: members.length,
      couponsIssued: withCoupon.length,
      couponsShort: run.coupon ? members.length - withCoupon.length : 0,
      messagesQueued: greeted,
    });
    await em.query('UPDATE birthday_perk_checkpoint SET perks_granted = ?, coupons_issued = ? WHERE run_on = ? AND first_member_id = ?', [
      members.length,
      withCoupon.length,
      run.runOn,
      first,
    ]);
    return { skipped: false, perks: members.length, coupons: withCoupon.length };
  }

  /**
   * The birthday greeting for the chunk's members who accepted it in the app (few of a chunk): written into the
   * outbox with the perk, sent by the sender after the quiet hours the 00:05 run falls in.
   */
  private async queueGreetings(em: EntityManager, run: RunContext, members: number[], withCoupon: Set<number>): Promise<number> {
    let queued = 0;
    const templateId = this.config.messages.templates[MessageKind.Birthday].templateId;
    for (const batch of batches(members, this.rowsPerStatement)) {
      for (const member of await reachableMembers(em, { templateId, kind: MessageKind.Birthday }, batch, this.rowsPerStatement)) {
        const memberId = member.id;
        const outcome = await this.messages.queue(em, {
          memberId,
          kind: MessageKind.Birthday,
          vars: {
            name: MessagesService.displayName(member),
            gift: withCoupon.has(memberId) && run.coupon ? `${run.coupon.templateName}已放入券包` : '生日期间消费享双倍积分',
            validUntil: run.window.closesOn,
          },
          dedupeKey: `birthday:${memberId}:${run.window.year}`,
        });
        if (outcome === 'queued') queued++;
      }
    }
    return queued;
  }

  /** Issues the coupons of the chunk's first members (all of them unless stock is scarce); answers who got one. */
  private async issueCoupons(
    em: EntityManager,
    run: RunContext,
    coupon: NonNullable<RunContext['coupon']>,
    members: number[],
    scarce: boolean,
  ): Promise<number[]> {
    // Rare path: lock the template row and take what is left (nothing when paused) before issuing.
    const count = scarce ? await this.coupons.takeRemainingStock(em, coupon.templateId, members.length) : members.length;
    const chosen = members.slice(0, count);
    // seq = the perk year: far above any per-member claim limit (≤ 100), so a birthday coupon never takes the
    // seq of a claim of the same template, and a second one for the same year hits the unique key.
    await this.coupons.issueToMembers(
      em,
      {
        templateId: coupon.templateId,
        seq: run.window.year,
        idempotencyKey: birthdayCouponKey(run.window.year),
        validFrom: coupon.validFrom,
        validUntil: coupon.validUntil,
        at: run.now,
      },
      chosen,
    );
    return chosen;
  }
}

function* batches<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
