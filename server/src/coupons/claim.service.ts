import type { AppConfig } from '@member/config';
import type { ClaimCentreEntry, CouponView, PointsShopEntry } from '@member/shared';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, IsNull, MoreThanOrEqual, Not, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { sqlDateValue as asDate } from '../database/sql';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { Member } from '../members/member.entity';
import { ClaimCombiner, newCouponCode } from './claim-combiner';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { claimBlockReason, claimBlockText, couponValidity, type ClaimSituation } from './coupon-rules';
import { audienceTiersOf, termsOf, toCouponView, validityOf } from './coupon.views';

/** How often a claim is re-judged after losing a race on its (template, member, seq) key. */
const MAX_CLAIM_ATTEMPTS = 5;
const TEMPLATE_CACHE_MS = 2000;

export { newCouponCode };

/**
 * The claim centre and claiming. A free claim (the claim centre, a flash claim) is write-combined: taps on one
 * template queue in this instance and one transaction per flush takes them all (ClaimCombiner). A points-shop
 * exchange keeps one transaction per claim, because the points debit must commit with its coupon (`payment`).
 * Both take stock by a conditional UPDATE on the template row, cap the per-member limit with the unique
 * (template, member, seq) key and answer a retried tap by the unique (member, idempotency key): no
 * read-modify-write anywhere, so a flash claim cannot oversell or exceed a member's limit however many press
 * at once, on one instance or many.
 */
@Injectable()
export class ClaimService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClaimService.name);
  private readonly templateCache = new Map<number, { template: CouponTemplate; until: number }>();
  /** The write-combining queues of this instance (public for tests and the bench's counters). */
  readonly combiner: ClaimCombiner;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {
    this.combiner = new ClaimCombiner(config, dataSource, transactions, clock, (couponId, template) =>
      this.replay(couponId, template, this.clock.now()),
    );
  }

  /** Taps already queued are flushed and answered before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.combiner.drain();
  }

  /** Free coupons: templates without a points price. */
  async claimCentre(memberId: number): Promise<ClaimCentreEntry[]> {
    return (await this.entries(memberId, 'free')).map(({ entry }) => entry);
  }

  /** The points shop: templates with a points price; "not enough points" is one more reason to block. */
  async pointsShop(memberId: number, balance: number): Promise<PointsShopEntry[]> {
    return (await this.entries(memberId, 'shop')).map(({ entry, pointsPrice }) => {
      const price = pointsPrice ?? 0;
      if (entry.canClaim && balance < price)
        return {
          ...entry,
          pointsPrice: price,
          canClaim: false,
          blockedBy: 'POINTS_INSUFFICIENT',
          blockedText: `积分不足，还差 ${price - balance}`,
        };
      return { ...entry, pointsPrice: price };
    });
  }

  private async entries(memberId: number, kind: 'free' | 'shop'): Promise<Array<{ entry: ClaimCentreEntry; pointsPrice: number | null }>> {
    const now = this.clock.now();
    const member = await this.member(memberId);
    const templates = await this.dataSource.getRepository(CouponTemplate).find({
      where: { claimEndsAt: MoreThanOrEqual(now), pointsPrice: kind === 'free' ? IsNull() : Not(IsNull()) },
      order: { claimStartsAt: 'ASC', id: 'ASC' },
      take: 100,
    });
    const mine = new Map<number, number>();
    if (templates.length) {
      const rows: Array<{ templateId: number; claimed: string | number }> = await this.dataSource
        .getRepository(Coupon)
        .createQueryBuilder('c')
        .select('c.template_id', 'templateId')
        .addSelect('COUNT(*)', 'claimed')
        .where('c.member_id = :memberId', { memberId })
        .andWhere('c.template_id IN (:...ids)', { ids: templates.map((t) => t.id) })
        .groupBy('c.template_id')
        .getRawMany();
      for (const row of rows) mine.set(Number(row.templateId), Number(row.claimed));
    }
    return templates.map((template) => {
      const situation = this.situation(template, member, mine.get(template.id) ?? 0, now);
      const blockedBy = claimBlockReason(situation);
      const entry: ClaimCentreEntry = {
        template: {
          id: template.id,
          name: template.name,
          description: template.description,
          terms: termsOf(template),
          validity: validityOf(template),
          claimEndsAt: template.claimEndsAt.toISOString(),
          perMemberLimit: template.perMemberLimit,
        },
        remainingStock: Math.max(0, template.totalStock - template.claimedCount),
        claimedByMe: mine.get(template.id) ?? 0,
        canClaim: blockedBy === null,
        blockedBy,
        blockedText: blockedBy ? claimBlockText(blockedBy, situation, this.config.businessCalendar.timeZone) : null,
      };
      return { entry, pointsPrice: template.pointsPrice ?? null };
    });
  }

  /**
   * `payment`: a points-shop exchange. Its `within` runs in the claim's own transaction once the coupon row and
   * the stock are taken (it debits the points), so the coupon and the points move together or not at all.
   * Without it, a template with a points price is refused.
   */
  async claim(
    memberId: number,
    templateId: number,
    idempotencyKey: string,
    payment?: { within: (em: EntityManager, couponId: number, now: Date) => Promise<void> },
  ): Promise<CouponView> {
    if (!payment) {
      const template = await this.templateForClaim(templateId, this.clock.now());
      // A template with a points price is refused below (COUPON_POINTS_ONLY) after the usual checks.
      if ((template.pointsPrice ?? null) === null) return this.combiner.claim(template, memberId, idempotencyKey);
    }
    return this.claimOneByOne(memberId, templateId, idempotencyKey, payment);
  }

  /** One transaction per claim: the points shop (the debit commits with the coupon), and refusals of it. */
  private async claimOneByOne(
    memberId: number,
    templateId: number,
    idempotencyKey: string,
    payment?: { within: (em: EntityManager, couponId: number, now: Date) => Promise<void> },
  ): Promise<CouponView> {
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      const template = await this.templateForClaim(templateId, now);
      const claimant = await this.claimant(memberId, templateId, idempotencyKey);
      if (claimant.replayCouponId !== null) return this.replay(claimant.replayCouponId, template, now);
      let blocked = claimBlockReason(this.situation(template, claimant.member, claimant.claimedByMe, now));
      if (blocked && blocked !== 'COUPON_LIMIT_REACHED' && blocked !== 'MEMBER_NOT_JOINED') {
        // A refusal must not rest on a cached row (a template resumed a second ago): judge again from the row.
        this.templateCache.delete(templateId);
        blocked = claimBlockReason(
          this.situation(await this.templateForClaim(templateId, now), claimant.member, claimant.claimedByMe, now),
        );
      }
      if (blocked) throw new DomainError(blocked);
      if ((template.pointsPrice ?? null) !== null && !payment) throw new DomainError('COUPON_POINTS_ONLY');
      const { validFrom, validUntil } = couponValidity(validityOf(template), now, this.config.businessCalendar.timeZone);
      const fresh = {
        templateId,
        memberId,
        seq: claimant.claimedByMe + 1,
        code: newCouponCode(),
        validFrom,
        validUntil,
        idempotencyKey,
        claimedAt: now,
      };
      try {
        const id = await this.transactions.run(async (em) => {
          const couponId = await this.insertClaim(em, fresh);
          if (payment) await payment.within(em, couponId, now);
          return couponId;
        });
        const coupon = Object.assign(new Coupon(), fresh, { id, status: 'available', redeemedAt: null, createdAt: now, updatedAt: now });
        return toCouponView(coupon, template, now, this.config.businessCalendar.timeZone);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'COUPON_OUT_OF_STOCK') {
          // The SQL check refused: sold out, or paused since the template was cached. Say which, from the row.
          this.templateCache.delete(templateId);
          const current = await this.templateForClaim(templateId, now);
          throw new DomainError(
            claimBlockReason(this.situation(current, claimant.member, claimant.claimedByMe, now)) ?? 'COUPON_OUT_OF_STOCK',
          );
        }
        // Lost a race: the same tap retried (idempotency key), or another tap took this seq. Judge again.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new DomainError('COUPON_LIMIT_REACHED');
  }

  /**
   * The template, from a cache of a couple of seconds: a flash claim reads the same row thousands of times a
   * second. Safe because what must be exact is checked again in SQL when stock is taken (`status = 'active'`,
   * `claimed_count < total_stock`); the cached fields (window, audience, limit) do not change after creation.
   */
  private async templateForClaim(templateId: number, now: Date): Promise<CouponTemplate> {
    const cached = this.templateCache.get(templateId);
    if (cached && cached.until > now.getTime()) return cached.template;
    const template = await this.dataSource.getRepository(CouponTemplate).findOneBy({ id: templateId });
    if (!template) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
    if (this.templateCache.size > 1000) this.templateCache.clear();
    this.templateCache.set(templateId, { template, until: now.getTime() + TEMPLATE_CACHE_MS });
    return template;
  }

  /** One round trip: who is claiming, how many of this template they hold, and whether this tap already won. */
  private async claimant(
    memberId: number,
    templateId: number,
    idempotencyKey: string,
  ): Promise<{ member: Pick<Member, 'joinedAt' | 'tier'>; claimedByMe: number; replayCouponId: number | null }> {
    const rows: Array<{
      joinedAt: Date | string | null;
      tier: Member['tier'];
      claimed: number | string;
      replayId: number | string | null;
    }> = await this.dataSource.query(
      `SELECT m.joined_at AS joinedAt, m.tier AS tier,
              (SELECT COUNT(*) FROM coupon c WHERE c.template_id = ? AND c.member_id = m.id) AS claimed,
              (SELECT r.id FROM coupon r WHERE r.member_id = m.id AND r.idempotency_key = ?) AS replayId
         FROM member m WHERE m.id = ?`,
      [templateId, idempotencyKey, memberId],
    );
    const row = rows[0];
    if (!row) throw new DomainError('MEMBER_NOT_FOUND');
    return {
      member: { joinedAt: asDate(row.joinedAt), tier: row.tier },
      claimedByMe: Number(row.claimed),
      replayCouponId: row.replayId === null ? null : Number(row.replayId),
    };
  }

  private async replay(couponId: number, template: CouponTemplate, now: Date): Promise<CouponView> {
    const coupon = await this.dataSource.getRepository(Coupon).findOneByOrFail({ id: couponId });
    if (coupon.templateId !== template.id) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return toCouponView(coupon, template, now, this.config.businessCalendar.timeZone);
  }

  /**
   * Claim row first, stock last, so the hot template row is locked only from the stock UPDATE to the COMMIT:
   * in a busy process every await inside the transaction waits a turn of the event loop, and the lock would
   * be held through each of them. (coupon has no foreign key to coupon_template: its check share-locked the
   * template row before the UPDATE needed it exclusively, and two claims deadlocked: 98 of 100 claimed under
   * 500 concurrent claims on MariaDB.) No stock rolls the claim row back with the transaction.
   */
  private async insertClaim(
    em: EntityManager,
    fresh: Pick<Coupon, 'templateId' | 'memberId' | 'seq' | 'code' | 'validFrom' | 'validUntil' | 'idempotencyKey' | 'claimedAt'>,
  ): Promise<number> {
    // The hot path of a flash claim, in plain SQL: TypeORM's query building was 44 % of the server's CPU
    // here (a measured hot path may drop below the ORM). Values still go through the
    // driver's own conversion, so both databases store exactly what the entities would.
    const runner = em.queryRunner!;
    const metadata = em.connection.getMetadata(Coupon);
    const persist = (property: keyof Coupon, value: unknown) =>
      em.connection.driver.preparePersistentValue(value, metadata.findColumnWithPropertyName(property)!);
    const inserted = await runner.query(
      'INSERT INTO coupon (template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key, claimed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        fresh.templateId,
        fresh.memberId,
        fresh.seq,
        fresh.code,
        'available',
        persist('validFrom', fresh.validFrom),
        persist('validUntil', fresh.validUntil),
        fresh.idempotencyKey,
        persist('claimedAt', fresh.claimedAt),
        persist('createdAt', fresh.claimedAt),
        persist('updatedAt', fresh.claimedAt),
      ],
      true,
    );
    const id =
      em.connection.options.type === 'mysql'
        ? Number((inserted.raw as { insertId: number }).insertId)
        : Number(((await runner.query('SELECT last_insert_rowid() AS id')) as Array<{ id: number }>)[0].id);
    const taken = await runner.query(
      'UPDATE coupon_template SET claimed_count = claimed_count + 1 WHERE id = ? AND claimed_count < total_stock AND status = ?',
      [fresh.templateId, 'active'],
      true,
    );
    if (taken.affected !== 1) throw new DomainError('COUPON_OUT_OF_STOCK');
    return id;
  }

  private async member(memberId: number): Promise<Member> {
    const member = await this.dataSource.getRepository(Member).findOneBy({ id: memberId });
    if (!member) throw new DomainError('MEMBER_NOT_FOUND');
    return member;
  }

  private situation(template: CouponTemplate, member: Pick<Member, 'joinedAt' | 'tier'>, claimedByMe: number, now: Date): ClaimSituation {
    return {
      now,
      template: { ...template, audienceTiers: audienceTiersOf(template) },
      member: { joinedAt: member.joinedAt, tier: member.tier },
      claimedByMe,
      config: this.config,
    };
  }
}
