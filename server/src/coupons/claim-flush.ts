import type { AppConfig } from '@member/config';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import { forUpdate, sqlDateValue as asDate, tuplesIn } from '../database/dialect';
import { isUniqueViolation, type TransactionRunner } from '../database/transaction-runner';
import { membersRepository } from '../members/members.repository';
import { decideFlush, pairOf, type ClaimRefusal, type Tap } from './claim-decisions';
import { CouponIssuer, newCouponCode } from './coupon-issuer';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { couponValidity } from './coupon-rules';
import { audienceTiersOf, validityOf } from './coupon.views';

/** A coupon's (member, idempotency key): unique (uq_coupon_idempotency), looked up many pairs at a time. */
const MEMBER_KEY = ['member_id', 'idempotency_key'];

/** A flush that lost a race on a unique key (a coupon code, a claim taken by another path) is judged again. */
const MAX_FLUSH_ATTEMPTS = 4;

const COUPON_COLUMNS =
  'id, template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key, claimed_at, redeemed_at, ' +
  'created_at, updated_at';
/** COUPON_COLUMNS with only what counting a member's coupons needs (for a UNION with whole rows). */
const COUNTED_COLUMNS =
  'id, template_id, member_id, seq, NULL AS code, NULL AS status, NULL AS valid_from, NULL AS valid_until, ' +
  'NULL AS idempotency_key, NULL AS claimed_at, NULL AS redeemed_at, NULL AS created_at, NULL AS updated_at';

/** Each tap's answer: its coupon (new or the one its key already made), or why not. */
export type FlushAnswer = { kind: 'coupon'; coupon: Coupon } | { kind: 'refused'; code: ClaimRefusal };

export interface FlushResult<T extends Tap> {
  /** The batch this flush took, in arrival order; `answers` follow it. */
  taps: T[];
  answers: FlushAnswer[];
  now: Date;
  /** The counters when this flush left the template sold out (null while stock is left). */
  soldOutAt: { claimedCount: number; totalStock: number } | null;
}

/**
 * The SQL of one write-combined flush, in one transaction:
 *
 *   lock the template row (FOR UPDATE) → take the batch: every tap that queued until now → read the batch members'
 *   coupons of this template and the coupons the batch's (member, key) pairs already made, in one statement, so
 *   in a snapshot no other flush can change (a retried tap must get its coupon back, not "limit") → decide
 *   (claim-decisions.ts, pure) → CouponIssuer: one multi-row INSERT, one `claimed_count + n` conditional UPDATE
 *   → COMMIT.
 *
 * The batch is taken once the lock is held, not when the flush begins: a flush waiting behind another's lock
 * takes everything that arrived meanwhile, so batches are as large as the lock's turnover allows and each
 * claim carries a smaller share of the flush's round trips (they were most of the server's database CPU).
 * The members' profiles (joined, tier) come from their owner (members.repository) on another connection
 * beside the coupons read: they are not part of what the lock protects.
 */
export class ClaimFlush {
  private readonly logger = new Logger(ClaimFlush.name);

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly issuer: CouponIssuer,
  ) {}

  /**
   * One flush: `take` is called once, under the lock, for the batch (an attempt judged again after a
   * unique-key race keeps the same batch).
   */
  async run<T extends Tap>(template: CouponTemplate, take: () => T[]): Promise<FlushResult<T>> {
    let taken: T[] | null = null;
    const batch = () => (taken ??= take());
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      try {
        return await this.transactions.run(async (em) => ({ now, ...(await this.write(em, template, batch, now)) }));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= MAX_FLUSH_ATTEMPTS) throw error;
        this.logger.warn({ templateId: template.id, attempt }, 'claim flush judged again after a unique-key race');
      }
    }
  }

  private async write<T extends Tap>(
    em: EntityManager,
    cached: CouponTemplate,
    batch: () => T[],
    now: Date,
  ): Promise<Omit<FlushResult<T>, 'now'>> {
    const [row]: Array<{
      status: CouponTemplate['status'];
      total_stock: number | string;
      claimed_count: number | string;
      terms_version: number | string;
    }> = await em.query(`SELECT status, total_stock, claimed_count, terms_version FROM coupon_template WHERE id = ?${forUpdate(em)}`, [
      cached.id,
    ]);
    const taps = batch();
    if (taps.length === 0) return { taps, answers: [], soldOutAt: null };
    if (!row) return { taps, answers: taps.map(() => ({ kind: 'refused', code: 'COUPON_TEMPLATE_NOT_FOUND' })), soldOutAt: null };
    // The claim path's copy may predate an edit made while the template was not live yet (TemplatesService.update):
    // under the lock no edit can land, so the row read now is the terms the coupons are written with.
    const template =
      Number(row.terms_version) === cached.termsVersion ? cached : await em.findOneByOrFail(CouponTemplate, { id: cached.id });
    const totalStock = Number(row.total_stock);
    const claimedBefore = Number(row.claimed_count);
    // The batch's coupons and keys are read in this transaction, after the lock (the snapshot the limit and the
    // retried keys need); the members' profiles (joined, tier: eligibility only, no count depends on them) are read
    // beside it on another connection, so the template row's lock is held one round trip less.
    const [{ held, existing }, members] = await Promise.all([
      this.couponsOf(em, template.id, taps),
      membersRepository.claimProfiles(
        this.dataSource.manager,
        taps.map((t) => t.memberId),
      ),
    ]);
    const timeZone = this.config.businessCalendar.timeZone;
    const { decisions, fresh } = decideFlush(taps, {
      templateId: template.id,
      template: {
        status: row.status,
        claimStartsAt: template.claimStartsAt,
        claimEndsAt: template.claimEndsAt,
        totalStock,
        claimedCount: claimedBefore,
        perMemberLimit: template.perMemberLimit,
        audience: template.audience,
        audienceTiers: audienceTiersOf(template),
      },
      members,
      held,
      existing,
      now,
      ...couponValidity(validityOf(template), now, timeZone),
      config: this.config,
      newCode: newCouponCode,
    });

    const ids = new Map((await this.issuer.issueMany(em, fresh)).map((c) => [c.code, c.id]));
    // The lock makes this certain; the condition (and the CHECK) make it so even if the lock were lost.
    if (!(await this.issuer.takeStock(em, template.id, fresh.length)))
      throw new Error(`claim flush: stock of template ${template.id} moved under its lock`);
    const answers = decisions.map((decision): FlushAnswer => {
      if (decision.kind === 'refused') return decision;
      if (decision.kind === 'replay') return { kind: 'coupon', coupon: decision.coupon };
      const id = ids.get(decision.coupon.code);
      if (id === undefined) throw new Error(`claim flush: no id read back for a coupon of template ${template.id}`);
      return {
        kind: 'coupon',
        coupon: Object.assign(new Coupon(), decision.coupon, { id, status: 'available', redeemedAt: null, createdAt: now, updatedAt: now }),
      };
    });
    const claimedAfter = claimedBefore + fresh.length;
    return { taps, answers, soldOutAt: claimedAfter >= totalStock ? { claimedCount: claimedAfter, totalStock } : null };
  }

  /**
   * One statement: the batch members' coupons of this template (how many each holds, the highest seq) and the
   * coupons of the batch's (member, key) pairs on any template. Each half runs on its own unique index
   * (template, member, seq) and (member, key); UNION ALL, not OR, so neither becomes a scan. The first half reads
   * only what counting needs (its other columns are NULL): whole rows, six datetimes each to parse, are needed
   * only for the coupons a retried key gets back.
   */
  private async couponsOf(
    em: EntityManager,
    templateId: number,
    taps: readonly Tap[],
  ): Promise<{ held: Map<number, { count: number; topSeq: number }>; existing: Map<string, Coupon> }> {
    const memberIds = [...new Set(taps.map((t) => t.memberId))];
    const pairs = new Map(taps.map((t) => [pairOf(t.memberId, t.idempotencyKey), [t.memberId, t.idempotencyKey] as const]));
    const rows: Array<Record<string, unknown>> = await em.query(
      `SELECT ${COUNTED_COLUMNS} FROM coupon WHERE template_id = ? AND member_id IN (${memberIds.map(() => '?').join(', ')})
       UNION ALL
       SELECT ${COUPON_COLUMNS} FROM coupon WHERE ${tuplesIn(em, MEMBER_KEY, pairs.size)}`,
      [templateId, ...memberIds, ...[...pairs.values()].flat()],
    );
    const held = new Map<number, { count: number; topSeq: number }>();
    const existing = new Map<string, Coupon>();
    const counted = new Set<number>();
    for (const row of rows) {
      const id = Number(row.id);
      const memberId = Number(row.member_id);
      if (Number(row.template_id) === templateId && !counted.has(id)) {
        counted.add(id); // a coupon of this template with a batch key is in both halves
        const mine = held.get(memberId) ?? { count: 0, topSeq: 0 };
        held.set(memberId, { count: mine.count + 1, topSeq: Math.max(mine.topSeq, Number(row.seq)) });
      }
      if (row.code === null) continue; // counted only
      const coupon = couponOfRow(row);
      const pair = coupon.idempotencyKey === null ? null : pairOf(coupon.memberId, coupon.idempotencyKey);
      if (pair && pairs.has(pair)) existing.set(pair, coupon);
    }
    return { held, existing };
  }
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
