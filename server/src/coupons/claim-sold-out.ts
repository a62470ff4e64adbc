import type { AppConfig } from '@member/config';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { tuplesIn } from '../database/dialect';
import { membersRepository, type ClaimProfile } from '../members/members.repository';
import { pairOf, type ClaimRefusal } from './claim-decisions';
import { claimBlockReason } from './coupon-rules';
import type { CouponTemplate } from './coupon-template.entity';
import { audienceTiersOf } from './coupon.views';

/** (member, key) pairs per look-up statement: SQLite builds may stop at 999 placeholders. */
const PAIRS_PER_LOOKUP = 400;

/** What the memory answers for a tap on a sold-out template. */
export type SoldOutAnswer = { kind: 'replay'; couponId: number } | { kind: 'refused'; code: ClaimRefusal };

interface Counters {
  claimedCount: number;
  totalStock: number;
}

/**
 * What an instance remembers about a sold-out template: the row it sold out at, and every coupon of it by
 * member and key. While the row stands no coupon of this template can be added (every path takes stock by a
 * conditional UPDATE in the transaction that inserts the coupon), so this list is complete: a retried tap finds
 * its coupon here, a member at the limit hears so, and everyone else hears 已领完, with no transaction.
 */
interface SoldOut extends Counters {
  status: CouponTemplate['status'];
  holders: Map<number, { count: number; keys: Map<string, number> }>;
  /** performance.now() of the last look at the template row (operational freshness, not business time). */
  checkedAt: number;
  rechecking: boolean;
}

/** What a look-up found: the coupon the tap's key already made (its template and id), and the member's profile. */
interface LookedUp {
  used: [number, number] | null;
  member: ClaimProfile | null;
}

/**
 * The sold-out memory of one instance, per template. It answers as the flush would (claim-decisions.ts), in the
 * same order: a key already used → its coupon, or IDEMPOTENCY_KEY_REUSED when that coupon is of ANOTHER template;
 * no such member; then the claim rules (paused, the window, joined, the audience, the limit) against the
 * remembered row, which leave 已领完. What memory cannot know — a key used on another template, the member's
 * profile — is looked up on the (member, key) unique index and from members.repository; the look-ups of taps
 * arriving together share one statement each, outside any transaction and without locks.
 */
export class SoldOutMemory {
  private readonly logger = new Logger(SoldOutMemory.name);
  private readonly templates = new Map<number, SoldOut>();
  private readonly learning = new Set<number>();
  private lookups: Array<{ memberId: number; key: string; done: (found: LookedUp | Error) => void }> = [];
  private lookupsRunning = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  private get settings(): AppConfig['coupons']['flashClaim'] {
    return this.config.coupons.flashClaim;
  }

  has(templateId: number): boolean {
    return this.templates.has(templateId);
  }

  /** Whether a template is being learned or keys looked up now (drain waits for them). */
  get busy(): boolean {
    return this.learning.size > 0 || this.lookups.length > 0 || this.lookupsRunning > 0;
  }

  /** The answer for a tap on a template remembered as sold out; null when the template is not remembered. */
  async answer(template: CouponTemplate, memberId: number, key: string, now: Date): Promise<SoldOutAnswer | null> {
    const soldOut = this.templates.get(template.id);
    if (!soldOut) return null;
    this.recheckWhenDue(template.id, soldOut);
    const holder = soldOut.holders.get(memberId);
    const couponId = holder?.keys.get(key);
    if (couponId !== undefined) return { kind: 'replay', couponId };
    const { used, member } = await this.lookUp(memberId, key);
    // As the flush: a deleted account first (the claim route's session is checked here, not by its guard). A
    // retry this memory answers by itself is checked by the combiner's replay.
    if (member?.deleted) return { kind: 'refused', code: 'SESSION_REVOKED' };
    if (used) return used[0] === template.id ? { kind: 'replay', couponId: used[1] } : { kind: 'refused', code: 'IDEMPOTENCY_KEY_REUSED' };
    if (!member) return { kind: 'refused', code: 'MEMBER_NOT_FOUND' };
    const blocked = claimBlockReason({
      now,
      template: {
        status: soldOut.status,
        claimStartsAt: template.claimStartsAt,
        claimEndsAt: template.claimEndsAt,
        totalStock: soldOut.totalStock,
        claimedCount: soldOut.claimedCount,
        perMemberLimit: template.perMemberLimit,
        audience: template.audience,
        audienceTiers: audienceTiersOf(template),
        validUntil: template.validUntil,
      },
      member,
      claimedByMe: holder?.count ?? 0,
      config: this.config,
    });
    // Sold out: the rules always find a reason, at the latest the stock.
    return { kind: 'refused', code: blocked ?? 'COUPON_OUT_OF_STOCK' };
  }

  /**
   * Sold out: remember every coupon of the template by member and key, read after the flush committed. The
   * template row is read after the coupons: an unchanged row means nothing was added in between.
   */
  async learn(templateId: number, at: Counters): Promise<void> {
    if (this.templates.has(templateId) || this.learning.has(templateId) || at.totalStock > this.settings.soldOutMemoryMaxStock) return;
    this.learning.add(templateId);
    try {
      const rows: Array<{ member_id: number | string; idempotency_key: string | null; id: number | string }> = await this.dataSource.query(
        'SELECT member_id, idempotency_key, id FROM coupon WHERE template_id = ?',
        [templateId],
      );
      const row = await this.row(templateId);
      if (!row || row.claimedCount !== at.claimedCount || row.totalStock !== at.totalStock) return;
      const holders: SoldOut['holders'] = new Map();
      for (const coupon of rows) {
        const memberId = Number(coupon.member_id);
        const holder = holders.get(memberId) ?? { count: 0, keys: new Map<string, number>() };
        holder.count++;
        if (coupon.idempotency_key !== null) holder.keys.set(coupon.idempotency_key, Number(coupon.id));
        holders.set(memberId, holder);
      }
      if (this.templates.size >= 1000) this.templates.clear();
      this.templates.set(templateId, { ...row, holders, checkedAt: performance.now(), rechecking: false });
    } catch (error) {
      this.logger.warn(
        { templateId, error: (error as Error).message },
        'could not remember a sold-out template; claims keep asking the database',
      );
    } finally {
      this.learning.delete(templateId);
    }
  }

  /** The stock may have been raised or the template paused: one look at the row per period, answering from memory meanwhile. */
  private recheckWhenDue(templateId: number, soldOut: SoldOut): void {
    if (performance.now() - soldOut.checkedAt <= this.settings.soldOutRecheckMs || soldOut.rechecking) return;
    soldOut.rechecking = true;
    void this.row(templateId)
      .then((row) => {
        const unchanged =
          row && row.claimedCount === soldOut.claimedCount && row.totalStock === soldOut.totalStock && row.status === soldOut.status;
        if (unchanged) soldOut.checkedAt = performance.now();
        else if (this.templates.get(templateId) === soldOut) this.templates.delete(templateId);
      })
      .catch(() => undefined)
      .finally(() => {
        soldOut.rechecking = false;
      });
  }

  private async row(templateId: number): Promise<(Counters & { status: CouponTemplate['status'] }) | null> {
    const [row]: Array<{ status: CouponTemplate['status']; total_stock: number | string; claimed_count: number | string }> =
      await this.dataSource.query('SELECT status, total_stock, claimed_count FROM coupon_template WHERE id = ?', [templateId]);
    return row ? { status: row.status, totalStock: Number(row.total_stock), claimedCount: Number(row.claimed_count) } : null;
  }

  /** What the tap's key already made and who the member is; taps of one turn of the event loop share the statements. */
  private lookUp(memberId: number, key: string): Promise<LookedUp> {
    return new Promise((resolve, reject) => {
      if (this.lookups.length === 0) setImmediate(() => void this.runLookups());
      this.lookups.push({ memberId, key, done: (found) => (found instanceof Error ? reject(found) : resolve(found)) });
    });
  }

  private async runLookups(): Promise<void> {
    const waiting = this.lookups;
    this.lookups = [];
    this.lookupsRunning++;
    for (let i = 0; i < waiting.length; i += PAIRS_PER_LOOKUP) {
      const batch = waiting.slice(i, i + PAIRS_PER_LOOKUP);
      try {
        const [rows, members] = await Promise.all([
          this.dataSource.query(
            `SELECT member_id, idempotency_key, template_id, id FROM coupon
              WHERE ${tuplesIn(this.dataSource, ['member_id', 'idempotency_key'], batch.length)}`,
            batch.flatMap((w) => [w.memberId, w.key]),
          ) as Promise<Array<{ member_id: number | string; idempotency_key: string; template_id: number | string; id: number | string }>>,
          membersRepository.claimProfiles(
            this.dataSource.manager,
            batch.map((w) => w.memberId),
          ),
        ]);
        const used = new Map(
          rows.map((r) => [pairOf(Number(r.member_id), r.idempotency_key), [Number(r.template_id), Number(r.id)] as [number, number]]),
        );
        for (const w of batch) w.done({ used: used.get(pairOf(w.memberId, w.key)) ?? null, member: members.get(w.memberId) ?? null });
      } catch (error) {
        for (const w of batch) w.done(error as Error);
      }
    }
    this.lookupsRunning--;
  }
}
