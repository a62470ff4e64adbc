import type { AppConfig } from '@member/config';
import type { CouponView } from '@member/shared';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { TransactionRunner } from '../database/transaction-runner';
import type { ClaimRefusal, Tap } from './claim-decisions';
import { ClaimFlush } from './claim-flush';
import { SoldOutMemory } from './claim-sold-out';
import { CouponIssuer, newCouponCode } from './coupon-issuer';
import type { CouponTemplate } from './coupon-template.entity';
import { toCouponView } from './coupon.views';

/** Where the points shop and older callers import it from; the issuer owns coupon codes now. */
export { newCouponCode };

type Settings = AppConfig['coupons']['flashClaim'];

/** A claim's answer without an exception: the coupon, or the refusal's code (the HTTP route answers it as is). */
export type ClaimOutcome = { kind: 'coupon'; view: CouponView } | { kind: 'refused'; code: ClaimRefusal };

/** One tap waiting for its template's next flush. */
interface Waiting extends Tap {
  template: CouponTemplate;
  done(outcome: ClaimOutcome | Error): void;
}

/** One template's queue in this instance. */
interface Lane {
  templateId: number;
  /** The template as the latest tap found it (its fixed fields: window, limit, audience, validity). */
  template: CouponTemplate;
  waiting: Waiting[];
  timer: NodeJS.Timeout | NodeJS.Immediate | null;
  /** Flushes of this lane running now (at most `flashClaim.flushesInFlight`). */
  inFlight: number;
  /** Of those, the ones that do not hold the template row's lock yet (at most one: see `needsFlush`). */
  awaitingLock: number;
}

export interface CombinerStats {
  flushes: number;
  claims: number;
  largestBatch: number;
  /** Taps answered from the sold-out memory, without a transaction (replays read their coupon by id). */
  soldOutAnswers: number;
}

/**
 * Write-combining for flash claims (issue 19). A free claim does not run its own transaction: it joins its
 * template's queue in this instance, and a flush — when the window (`coupons.flashClaim.windowMs`) has passed
 * since the queue was empty, or `maxBatch` taps wait, or the flush waiting at the lock takes it — begins one
 * transaction and takes the whole queue, once it holds the template row's lock or, with a long queue, as it begins
 * (ClaimFlush: read, decide with claim-decisions, issue with CouponIssuer), then answers every tap. Once a flush
 * leaves the template sold out, SoldOutMemory answers its taps.
 *
 * Correctness rests on the database, not on this queue: several instances each combine their own taps and
 * serialize on the template row lock; the unique keys (template, member, seq) and (member, key) stay the final
 * guard, and a CHECK keeps claimed_count ≤ total_stock. A tap is answered only after its flush committed, so a
 * killed instance loses only unanswered taps, which either committed (a retry with the key returns the coupon)
 * or did not happen.
 */
export class ClaimCombiner {
  private readonly lanes = new Map<number, Lane>();
  private readonly flusher: ClaimFlush;
  private readonly soldOut: SoldOutMemory;
  readonly stats: CombinerStats = { flushes: 0, claims: 0, largestBatch: 0, soldOutAnswers: 0 };

  constructor(
    private readonly config: AppConfig,
    dataSource: DataSource,
    transactions: TransactionRunner,
    private readonly clock: Clock,
    /**
     * Reads a coupon by id for a retried tap answered from the sold-out memory, once the member's session is
     * known to stand (the memory answers such a retry without reading the member).
     */
    private readonly replay: (couponId: number, template: CouponTemplate, memberId: number) => Promise<CouponView>,
    issuer: CouponIssuer = new CouponIssuer(),
  ) {
    this.flusher = new ClaimFlush(config, dataSource, transactions, clock, issuer);
    this.soldOut = new SoldOutMemory(config, dataSource);
  }

  private get settings(): Settings {
    return this.config.coupons.flashClaim;
  }

  /** Queue a free claim for the template's next flush; resolves with the coupon once its flush committed. */
  async claim(template: CouponTemplate, memberId: number, idempotencyKey: string): Promise<CouponView> {
    const outcome = await this.claimOutcome(template, memberId, idempotencyKey);
    if (outcome.kind === 'refused') throw new DomainError(outcome.code);
    return outcome.view;
  }

  /** As `claim`, with a refusal as a value: no exception is made for the thousands of 已领完 of a flash sale. */
  async claimOutcome(template: CouponTemplate, memberId: number, idempotencyKey: string): Promise<ClaimOutcome> {
    if (this.soldOut.has(template.id)) {
      const answer = await this.soldOut.answer(template, memberId, idempotencyKey, this.clock.now());
      if (answer) {
        this.stats.soldOutAnswers++;
        if (answer.kind === 'refused') return answer;
        return { kind: 'coupon', view: await this.replay(answer.couponId, template, memberId) };
      }
    }
    const lane = this.laneOf(template);
    return new Promise<ClaimOutcome>((resolve, reject) => {
      lane.waiting.push({ memberId, idempotencyKey, template, done: (o) => (o instanceof Error ? reject(o) : resolve(o)) });
      this.schedule(lane);
    });
  }

  /** Answers what is queued, then closes the flushes' own connections (shutdown). */
  async close(): Promise<void> {
    await this.drain();
    await this.flusher.close();
  }

  /** Whether this instance answers the template from its sold-out memory (tests). */
  isSoldOutInMemory(templateId: number): boolean {
    return this.soldOut.has(templateId);
  }

  /** Resolves when no flush is running or queued (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.soldOut.busy || [...this.lanes.values()].some((lane) => lane.inFlight > 0 || lane.waiting.length > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private laneOf(template: CouponTemplate): Lane {
    const templateId = template.id;
    let lane = this.lanes.get(templateId);
    if (!lane) {
      if (this.lanes.size > 1000)
        for (const [id, idle] of this.lanes) if (idle.inFlight === 0 && idle.waiting.length === 0 && !idle.timer) this.lanes.delete(id);
      lane = { templateId, template, waiting: [], timer: null, inFlight: 0, awaitingLock: 0 };
      this.lanes.set(templateId, lane);
    }
    lane.template = template;
    return lane;
  }

  /**
   * Up to `flushesInFlight` flushes per template per instance: the next one begins its transaction and waits at
   * the row lock while the current one writes, and takes the lock the moment it commits (InnoDB releases row
   * locks before the log flush, so their commits overlap). Taps gather while a flush waits at the lock or all
   * slots are busy, and go as soon as that changes (they have already waited); a queue with a free slot waits the
   * window for company.
   */
  private schedule(lane: Lane): void {
    if (!this.needsFlush(lane)) return;
    if (lane.waiting.length >= this.settings.maxBatch) {
      this.clearTimer(lane);
      void this.flush(lane);
      return;
    }
    if (lane.timer) return;
    const go = () => {
      lane.timer = null;
      void this.flush(lane);
    };
    lane.timer = this.settings.windowMs === 0 ? setImmediate(go) : setTimeout(go, this.settings.windowMs);
  }

  /**
   * Whether the queue needs one more flush now: taps wait, a slot is free, and no flush of this lane is still
   * waiting for the row lock. One flush queues at the lock at a time, and the next begins once it holds it:
   *
   * - On MySQL a flush takes its batch when it begins and sends the lock with the batch's reads in one round trip,
   *   so a second flush queued behind it would go with only the few taps that arrived in between and hold the lock
   *   a whole flush for them; the taps that arrive while one waits go together in the next.
   * - Where the batch is taken under the lock (the embedded SQLite), a second one would find the queue empty and
   *   hold the lock for nothing, ahead of the next flush with taps.
   */
  private needsFlush(lane: Lane): boolean {
    return lane.waiting.length > 0 && lane.inFlight < this.settings.flushesInFlight && lane.awaitingLock === 0;
  }

  private clearTimer(lane: Lane): void {
    if (!lane.timer) return;
    clearTimeout(lane.timer as NodeJS.Timeout);
    clearImmediate(lane.timer as NodeJS.Immediate);
    lane.timer = null;
  }

  private async flush(lane: Lane): Promise<void> {
    if (!this.needsFlush(lane)) return;
    lane.inFlight++;
    lane.awaitingLock++;
    this.stats.flushes++;
    let awaiting = true;
    const stopAwaiting = (): boolean => {
      if (!awaiting) return false;
      awaiting = false;
      lane.awaitingLock--;
      return true;
    };
    // The taps that queued while this one waited go now, not after the window or the rest of this turn of the event
    // loop: the next flush's BEGIN and lock reach the database while this one still writes, so the row passes to it
    // the moment this one commits. (Started from setImmediate, at 512 concurrent the next flush was sent a median
    // 7.5 ms after this one had its lock, half the time after this one had committed, and the row sat unlocked.)
    const locked = () => {
      if (stopAwaiting() && this.needsFlush(lane)) {
        this.clearTimer(lane);
        void this.flush(lane);
      }
    };
    let batch: Waiting[] | null = null;
    const take = () => {
      batch = lane.waiting.splice(0, this.settings.maxBatch);
      this.stats.claims += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      return batch;
    };
    try {
      const { taps, answers, now, soldOutAt } = await this.flusher.run(lane.template, take, { locked, queued: () => lane.waiting.length });
      const timeZone = this.config.businessCalendar.timeZone;
      taps.forEach((waiting, i) => {
        const answer = answers[i];
        waiting.done(
          answer.kind === 'refused' ? answer : { kind: 'coupon', view: toCouponView(answer.coupon, waiting.template, now, timeZone) },
        );
      });
      if (soldOutAt) void this.soldOut.learn(lane.templateId, soldOutAt);
    } catch (error) {
      // Failed before taking its batch (no connection, say): the taps it would have taken hear the error, so a
      // database that is down answers them instead of being asked again and again.
      const failed: Waiting[] = batch ?? take();
      for (const waiting of failed) waiting.done(error instanceof Error ? error : new Error(String(error)));
    } finally {
      stopAwaiting(); // a flush that failed before it held the lock
      lane.inFlight--;
      if (lane.waiting.length > 0) {
        // These taps waited through a whole flush: no window for them. (A new tap may have found the template
        // sold out meanwhile; those already queued are flushed as usual.)
        this.clearTimer(lane);
        setImmediate(() => {
          void this.flush(lane);
          this.schedule(lane);
        });
      }
    }
  }
}
