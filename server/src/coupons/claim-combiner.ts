import { randomInt } from 'node:crypto';
import type { AppConfig } from '@member/config';
import type { ClaimBlockReason, CouponView } from '@member/shared';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { forUpdate, sqlDateValue as asDate } from '../database/sql';
import { isUniqueViolation, type TransactionRunner } from '../database/transaction-runner';
import type { Member } from '../members/member.entity';
import { insertCouponsReturningIds, memberKeyPairsIn } from './claim-dialect';
import type { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { claimBlockReason, couponValidity, type ClaimSituation } from './coupon-rules';
import { audienceTiersOf, toCouponView, validityOf } from './coupon.views';

/** A flush that lost a race on a unique key (a coupon code, a claim taken by another path) is judged again. */
const MAX_FLUSH_ATTEMPTS = 4;

type Settings = AppConfig['coupons']['flashClaim'];

/** One tap waiting for its template's next flush. */
interface Waiting {
  memberId: number;
  idempotencyKey: string;
  template: CouponTemplate;
  resolve(view: CouponView): void;
  reject(error: unknown): void;
}

type Decision =
  | { kind: 'claimed'; coupon: Coupon }
  | { kind: 'replay'; coupon: Coupon }
  | { kind: 'refused'; code: ClaimBlockReason | 'IDEMPOTENCY_KEY_REUSED' | 'MEMBER_NOT_FOUND' | 'COUPON_TEMPLATE_NOT_FOUND' };

/**
 * What an instance remembers about a sold-out template: the counters it sold out at, and every coupon of it by
 * member and key. While the counters stand no coupon of this template can be added (every path takes stock by a
 * conditional UPDATE in the transaction that inserts the coupon), so this list is complete: a retried tap finds
 * its coupon here, a member at the limit hears so, and everyone else hears 已领完, with no database work.
 */
interface SoldOut {
  claimedCount: number;
  totalStock: number;
  holders: Map<number, { count: number; keys: Map<string, number> }>;
  /** performance.now() of the last look at the template row (operational freshness, not business time). */
  checkedAt: number;
  rechecking: boolean;
}

/** One template's queue in this instance. */
interface Lane {
  templateId: number;
  waiting: Waiting[];
  timer: NodeJS.Timeout | NodeJS.Immediate | null;
  /** Flushes of this lane running now (at most `flashClaim.flushesInFlight`). */
  inFlight: number;
  soldOut: SoldOut | null;
  learningSoldOut: boolean;
}

export interface CombinerStats {
  flushes: number;
  claims: number;
  largestBatch: number;
  /** Taps answered from the sold-out memory, without the database (replays read their coupon by id). */
  soldOutAnswers: number;
}

/**
 * Write-combining for flash claims (issue 19). A free claim does not run its own transaction: it joins its
 * template's queue in this instance, and a flush — when the window (`coupons.flashClaim.windowMs`) has passed
 * since the queue was empty, or `maxBatch` taps wait, or the previous flush ends — takes the whole queue in one
 * transaction:
 *
 *   lock the template row (FOR UPDATE) → read the batch's members with their count of this template, and the
 *   coupons already holding the batch's (member, key) pairs — both after the lock, so in one snapshot that no
 *   other flush can change → decide each tap in arrival order (same key → the same coupon; not eligible; over
 *   the member's limit; out of stock, first come first served) → one multi-row INSERT → one
 *   `claimed_count = claimed_count + n` conditional UPDATE → COMMIT → answer every tap.
 *
 * Correctness rests on the database, not on this queue: several instances each combine their own taps and
 * serialize on the template row lock; the unique keys (template, member, seq) and (member, key) stay the final
 * guard, and a CHECK keeps claimed_count ≤ total_stock. A tap is answered only after its flush committed, so a
 * killed instance loses only unanswered taps, which either committed (a retry with the key returns the coupon)
 * or did not happen.
 */
export class ClaimCombiner {
  private readonly logger = new Logger(ClaimCombiner.name);
  private readonly lanes = new Map<number, Lane>();
  readonly stats: CombinerStats = { flushes: 0, claims: 0, largestBatch: 0, soldOutAnswers: 0 };

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    /** Reads a coupon by id for a retried tap answered from the sold-out memory. */
    private readonly replay: (couponId: number, template: CouponTemplate) => Promise<CouponView>,
  ) {}

  private get settings(): Settings {
    return this.config.coupons.flashClaim;
  }

  /** Queue a free claim for the template's next flush; resolves with the coupon once its flush committed. */
  claim(template: CouponTemplate, memberId: number, idempotencyKey: string): Promise<CouponView> {
    const lane = this.laneOf(template.id);
    if (lane.soldOut) return this.answerSoldOut(lane, lane.soldOut, template, memberId, idempotencyKey);
    return new Promise<CouponView>((resolve, reject) => {
      lane.waiting.push({ memberId, idempotencyKey, template, resolve, reject });
      this.schedule(lane);
    });
  }

  /** Whether this instance answers the template from its sold-out memory (tests). */
  isSoldOutInMemory(templateId: number): boolean {
    return Boolean(this.lanes.get(templateId)?.soldOut);
  }

  /** Resolves when no flush is running or queued (shutdown, tests). */
  async drain(): Promise<void> {
    while ([...this.lanes.values()].some((lane) => lane.inFlight > 0 || lane.waiting.length > 0 || lane.learningSoldOut)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private laneOf(templateId: number): Lane {
    let lane = this.lanes.get(templateId);
    if (!lane) {
      if (this.lanes.size > 1000)
        for (const [id, idle] of this.lanes)
          if (idle.inFlight === 0 && idle.waiting.length === 0 && !idle.timer && !idle.learningSoldOut) this.lanes.delete(id);
      lane = { templateId, waiting: [], timer: null, inFlight: 0, soldOut: null, learningSoldOut: false };
      this.lanes.set(templateId, lane);
    }
    return lane;
  }

  /**
   * Up to `flushesInFlight` flushes per template per instance: the next one begins its transaction and waits at
   * the row lock while the current one writes, and takes the lock the moment it commits (InnoDB releases row
   * locks before the log flush, so their commits overlap). Taps gather while all slots are busy and go as soon
   * as one frees (they have already waited); a queue with a free slot waits the window for company.
   */
  private schedule(lane: Lane): void {
    if (lane.inFlight >= this.settings.flushesInFlight || lane.waiting.length === 0) return;
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

  private clearTimer(lane: Lane): void {
    if (!lane.timer) return;
    clearTimeout(lane.timer as NodeJS.Timeout);
    clearImmediate(lane.timer as NodeJS.Immediate);
    lane.timer = null;
  }

  private async flush(lane: Lane): Promise<void> {
    if (lane.inFlight >= this.settings.flushesInFlight || lane.waiting.length === 0) return;
    lane.inFlight++;
    const batch = lane.waiting.splice(0, this.settings.maxBatch);
    this.stats.flushes++;
    this.stats.claims += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    try {
      const { decisions, now, soldOutAt } = await this.decideAndWrite(batch);
      const timeZone = this.config.businessCalendar.timeZone;
      batch.forEach((waiting, i) => {
        const decision = decisions[i];
        if (decision.kind === 'refused') waiting.reject(new DomainError(decision.code));
        else waiting.resolve(toCouponView(decision.coupon, waiting.template, now, timeZone));
      });
      if (soldOutAt && !lane.soldOut) void this.learnSoldOut(lane, soldOutAt);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      lane.inFlight--;
      if (lane.waiting.length > 0) {
        // These taps waited through a whole flush: no window for them. (A new tap may have found the lane sold
        // out meanwhile; those already queued are flushed as usual.)
        this.clearTimer(lane);
        setImmediate(() => {
          void this.flush(lane);
          this.schedule(lane);
        });
      }
    }
  }

  /** The flush's transaction, judged again from the start if it lost a race on a unique key. */
  private async decideAndWrite(
    batch: Waiting[],
  ): Promise<{ decisions: Decision[]; now: Date; soldOutAt: { claimedCount: number; totalStock: number } | null }> {
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      try {
        return await this.transactions.run(async (em) => ({ now, ...(await this.decideInTransaction(em, batch, now)) }));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= MAX_FLUSH_ATTEMPTS) throw error;
        this.logger.warn({ templateId: batch[0].template.id, attempt }, 'claim flush judged again after a unique-key race');
      }
    }
  }

  private async decideInTransaction(
    em: EntityManager,
    batch: Waiting[],
    now: Date,
  ): Promise<{ decisions: Decision[]; soldOutAt: { claimedCount: number; totalStock: number } | null }> {
    const template = batch[0].template;
    const runner = em.queryRunner!;
    const [row]: Array<{ status: CouponTemplate['status']; total_stock: number | string; claimed_count: number | string }> =
      await runner.query(`SELECT status, total_stock, claimed_count FROM coupon_template WHERE id = ?${forUpdate(em)}`, [template.id]);
    if (!row) return { decisions: batch.map(() => ({ kind: 'refused', code: 'COUPON_TEMPLATE_NOT_FOUND' })), soldOutAt: null };
    const totalStock = Number(row.total_stock);
    const claimedBefore = Number(row.claimed_count);

    // After the lock, so in a snapshot no other flush can change: each member's count of this template and the
    // coupons the batch's keys already made (a retried tap must get its coupon back, not "limit").
    const memberIds = [...new Set(batch.map((w) => w.memberId))];
    const memberMarks = memberIds.map(() => '?').join(', ');
    const memberRows: Array<{
      id: number | string;
      joinedAt: Date | string | null;
      tier: Member['tier'];
      claimed: number | string | null;
      topSeq: number | string | null;
    }> = await runner.query(
      `SELECT m.id AS id, m.joined_at AS joinedAt, m.tier AS tier, c.n AS claimed, c.top AS topSeq
         FROM member m
         LEFT JOIN (SELECT member_id, COUNT(*) AS n, MAX(seq) AS top FROM coupon WHERE template_id = ? AND member_id IN (${memberMarks}) GROUP BY member_id) c ON c.member_id = m.id
        WHERE m.id IN (${memberMarks})`,
      [template.id, ...memberIds, ...memberIds],
    );
    const members = new Map(
      memberRows.map((m) => [
        Number(m.id),
        { joinedAt: asDate(m.joinedAt), tier: m.tier, claimed: Number(m.claimed ?? 0), topSeq: Number(m.topSeq ?? 0) },
      ]),
    );
    const pairs = [
      ...new Map(batch.map((w) => [pairOf(w.memberId, w.idempotencyKey), [w.memberId, w.idempotencyKey] as [number, string]])).values(),
    ];
    const keyedRows: Array<Record<string, unknown>> = await runner.query(
      `SELECT id, template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key, claimed_at, redeemed_at, created_at, updated_at
         FROM coupon WHERE ${memberKeyPairsIn(em, pairs.length)}`,
      pairs.flat(),
    );
    const existing = new Map(keyedRows.map((r) => [pairOf(Number(r.member_id), String(r.idempotency_key)), couponOfRow(r)]));

    const locked: ClaimSituation['template'] = {
      status: row.status,
      claimStartsAt: template.claimStartsAt,
      claimEndsAt: template.claimEndsAt,
      totalStock,
      claimedCount: claimedBefore,
      perMemberLimit: template.perMemberLimit,
      audience: template.audience,
      audienceTiers: audienceTiersOf(template),
    };
    const { validFrom, validUntil } = couponValidity(validityOf(template), now, this.config.businessCalendar.timeZone);
    const byPair = new Map<string, Decision>();
    const fresh: Coupon[] = [];
    const decisions = batch.map((waiting): Decision => {
      const pair = pairOf(waiting.memberId, waiting.idempotencyKey);
      const known = byPair.get(pair);
      if (known) return known; // the same tap twice in one flush: one answer
      const decision = this.decide(
        waiting,
        existing.get(pair),
        members.get(waiting.memberId),
        { ...locked, claimedCount: claimedBefore + fresh.length },
        now,
      );
      if (decision.kind === 'claimed') {
        Object.assign(decision.coupon, { validFrom, validUntil });
        fresh.push(decision.coupon);
      }
      byPair.set(pair, decision);
      return decision;
    });

    if (fresh.length > 0) {
      const persist = (property: keyof Coupon, value: unknown) =>
        em.connection.driver.preparePersistentValue(value, em.connection.getMetadata(Coupon).findColumnWithPropertyName(property)!);
      const columns = [
        'template_id',
        'member_id',
        'seq',
        'code',
        'status',
        'valid_from',
        'valid_until',
        'idempotency_key',
        'claimed_at',
        'created_at',
        'updated_at',
      ];
      const stamp = persist('claimedAt', now);
      const rows = fresh.map((c) => [
        c.templateId,
        c.memberId,
        c.seq,
        c.code,
        c.status,
        persist('validFrom', c.validFrom),
        persist('validUntil', c.validUntil),
        c.idempotencyKey,
        stamp,
        stamp,
        stamp,
      ]);
      const ids = new Map((await insertCouponsReturningIds(em, columns, rows, 3)).map((r) => [r.code, r.id]));
      for (const coupon of fresh) {
        const id = ids.get(coupon.code);
        if (id === undefined) throw new Error(`claim flush: no id read back for a coupon of template ${template.id}`);
        coupon.id = id;
      }
      // The lock makes this certain; the condition (and the CHECK) make it so even if the lock were lost.
      const taken = await runner.query(
        "UPDATE coupon_template SET claimed_count = claimed_count + ? WHERE id = ? AND status = 'active' AND claimed_count + ? <= total_stock",
        [fresh.length, template.id, fresh.length],
        true,
      );
      if (Number(taken.affected) !== 1) throw new Error(`claim flush: stock of template ${template.id} moved under its lock`);
    }
    const claimedAfter = claimedBefore + fresh.length;
    return { decisions, soldOutAt: claimedAfter >= totalStock ? { claimedCount: claimedAfter, totalStock } : null };
  }

  /** One tap, judged against the locked row and what this flush has already given. */
  private decide(
    waiting: Waiting,
    existing: Coupon | undefined,
    member: { joinedAt: Date | null; tier: Member['tier']; claimed: number; topSeq: number } | undefined,
    template: ClaimSituation['template'],
    now: Date,
  ): Decision {
    const templateId = waiting.template.id;
    if (existing)
      return existing.templateId === templateId
        ? { kind: 'replay', coupon: existing }
        : { kind: 'refused', code: 'IDEMPOTENCY_KEY_REUSED' };
    if (!member) return { kind: 'refused', code: 'MEMBER_NOT_FOUND' };
    const blocked = claimBlockReason({ now, template, member, claimedByMe: member.claimed, config: this.config });
    if (blocked) return { kind: 'refused', code: blocked };
    member.claimed++;
    member.topSeq++;
    const coupon = Object.assign(new Coupon(), {
      templateId,
      memberId: waiting.memberId,
      seq: member.topSeq,
      code: newCouponCode(),
      status: 'available' as const,
      idempotencyKey: waiting.idempotencyKey,
      claimedAt: now,
      redeemedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    return { kind: 'claimed', coupon };
  }

  /**
   * Sold out: remember every coupon of the template by member and key, read after the flush committed. The
   * template row is read after the coupons: unchanged counters mean nothing was added in between.
   */
  private async learnSoldOut(lane: Lane, at: { claimedCount: number; totalStock: number }): Promise<void> {
    if (lane.learningSoldOut || at.totalStock > this.settings.soldOutMemoryMaxStock) return;
    lane.learningSoldOut = true;
    try {
      const rows: Array<{ member_id: number | string; idempotency_key: string | null; id: number | string }> = await this.dataSource.query(
        'SELECT member_id, idempotency_key, id FROM coupon WHERE template_id = ?',
        [lane.templateId],
      );
      if (!(await this.stillAt(lane.templateId, at))) return;
      const holders: SoldOut['holders'] = new Map();
      for (const row of rows) {
        const memberId = Number(row.member_id);
        const holder = holders.get(memberId) ?? { count: 0, keys: new Map<string, number>() };
        holder.count++;
        if (row.idempotency_key !== null) holder.keys.set(row.idempotency_key, Number(row.id));
        holders.set(memberId, holder);
      }
      lane.soldOut = { ...at, holders, checkedAt: performance.now(), rechecking: false };
    } catch (error) {
      this.logger.warn(
        { templateId: lane.templateId, error: (error as Error).message },
        'could not remember a sold-out template; claims keep asking the database',
      );
    } finally {
      lane.learningSoldOut = false;
    }
  }

  private async stillAt(templateId: number, at: { claimedCount: number; totalStock: number }): Promise<boolean> {
    const [row]: Array<{ total_stock: number | string; claimed_count: number | string }> = await this.dataSource.query(
      'SELECT total_stock, claimed_count FROM coupon_template WHERE id = ?',
      [templateId],
    );
    return Boolean(row) && Number(row.claimed_count) === at.claimedCount && Number(row.total_stock) === at.totalStock;
  }

  private async answerSoldOut(
    lane: Lane,
    soldOut: SoldOut,
    template: CouponTemplate,
    memberId: number,
    idempotencyKey: string,
  ): Promise<CouponView> {
    if (performance.now() - soldOut.checkedAt > this.settings.soldOutRecheckMs && !soldOut.rechecking) {
      // The stock may have been raised: one look at the row per period, while answering from memory meanwhile.
      soldOut.rechecking = true;
      void this.stillAt(lane.templateId, soldOut)
        .then((unchanged) => {
          if (unchanged) soldOut.checkedAt = performance.now();
          else if (lane.soldOut === soldOut) lane.soldOut = null;
        })
        .catch(() => undefined)
        .finally(() => {
          soldOut.rechecking = false;
        });
    }
    const now = this.clock.now();
    // What the queue would answer before stock: the claim window (fixed per template, so the cached row says).
    if (now < template.claimStartsAt) throw new DomainError('COUPON_CLAIM_NOT_STARTED');
    if (now > template.claimEndsAt) throw new DomainError('COUPON_CLAIM_ENDED');
    this.stats.soldOutAnswers++;
    const holder = soldOut.holders.get(memberId);
    const couponId = holder?.keys.get(idempotencyKey);
    if (couponId !== undefined) return this.replay(couponId, template);
    if (holder && holder.count >= template.perMemberLimit) throw new DomainError('COUPON_LIMIT_REACHED');
    throw new DomainError('COUPON_OUT_OF_STOCK');
  }
}

function pairOf(memberId: number, idempotencyKey: string): string {
  return `${memberId}\u0000${idempotencyKey}`;
}

function couponOfRow(r: Record<string, unknown>): Coupon {
  return Object.assign(new Coupon(), {
    id: Number(r.id),
    templateId: Number(r.template_id),
    memberId: Number(r.member_id),
    seq: Number(r.seq),
    code: String(r.code),
    status: r.status as Coupon['status'],
    validFrom: asDate(r.valid_from as Date | string),
    validUntil: asDate(r.valid_until as Date | string),
    idempotencyKey: r.idempotency_key === null ? null : String(r.idempotency_key),
    claimedAt: asDate(r.claimed_at as Date | string),
    redeemedAt: asDate(r.redeemed_at as Date | string | null),
    createdAt: asDate(r.created_at as Date | string),
    updatedAt: asDate(r.updated_at as Date | string),
  });
}

/** 16 random digits starting with 9 (member codes start with the member-code prefix): unique by index. */
export function newCouponCode(): string {
  // randomInt draws at most 2^48 values at a time: two draws make the 15 random digits.
  return `9${String(randomInt(0, 1e8)).padStart(8, '0')}${String(randomInt(0, 1e7)).padStart(7, '0')}`;
}
