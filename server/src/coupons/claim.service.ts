import type { AppConfig } from '@member/config';
import type { ClaimCentreEntry, CouponView, ErrorCode, PointsShopEntry } from '@member/shared';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, IsNull, MoreThanOrEqual, Not } from 'typeorm';
import { SessionRevocations } from '../auth/session-revocations';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { membersRepository, type MemberRecord } from '../members/members.repository';
import { ClaimCombiner } from './claim-combiner';
import { CouponIssuer, newCouponCode } from './coupon-issuer';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { claimBlockReason, claimBlockText, type ClaimSituation } from './coupon-rules';
import { audienceTiersOf, termsOf, toCouponView, validityOf } from './coupon.views';

const TEMPLATE_CACHE_MS = 2000;

export { newCouponCode };

/** A claim's answer with a refusal as a value (what the HTTP route sends), or the coupon. */
export type ClaimResult = { kind: 'coupon'; view: CouponView } | { kind: 'refused'; code: ErrorCode };

type Claimant = Pick<MemberRecord, 'joinedAt' | 'tier'>;

/**
 * The claim centre and claiming. A free claim (the claim centre, a flash claim) is write-combined: taps on one
 * template queue in this instance and one transaction per flush takes them all (ClaimCombiner), issued by the
 * one CouponIssuer. A template with a points price is exchanged in the points shop (PointsShopService, one
 * transaction with the debit); here it is only judged and refused. Stock moves by a conditional UPDATE on the
 * template row, the per-member limit is capped by the unique (template, member, seq) key and a retried tap is
 * answered by the unique (member, idempotency key): no read-modify-write anywhere, so a flash claim cannot
 * oversell or exceed a member's limit however many press at once, on one instance or many.
 */
@Injectable()
export class ClaimService implements OnApplicationShutdown {
  private readonly templateCache = new Map<number, { template: Promise<CouponTemplate>; until: number }>();
  /** The write-combining queues of this instance (public for tests and the bench's counters). */
  readonly combiner: ClaimCombiner;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    transactions: TransactionRunner,
    private readonly clock: Clock,
    issuer: CouponIssuer,
    private readonly revocations: SessionRevocations,
  ) {
    this.combiner = new ClaimCombiner(
      config,
      dataSource,
      transactions,
      clock,
      async (couponId, template, memberId) => {
        await this.revocations.assertLive(memberId);
        return this.replay(couponId, template, this.clock.now());
      },
      issuer,
    );
  }

  /** Taps already queued are flushed and answered before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.combiner.close();
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
    const member = await membersRepository.find(this.dataSource.manager, memberId);
    if (!member) throw new DomainError('MEMBER_NOT_FOUND');
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

  /** A free claim: the coupon (new, or the one this key already made), or a DomainError with the refusal's code. */
  async claim(memberId: number, templateId: number, idempotencyKey: string): Promise<CouponView> {
    const result = await this.claimResult(memberId, templateId, idempotencyKey);
    if (result.kind === 'refused') throw new DomainError(result.code);
    return result.view;
  }

  /**
   * As `claim`, with a refusal as a value: a flash sale answers thousands of 已领完 a second, and an exception
   * per refusal (its stack, the framework's error path, the filter) cost more than the answer itself.
   *
   * It also answers SESSION_REVOKED for a deleted account on every path, before any effect or any of the
   * member's data: the claim route (FlashClaimRoute) leaves that check to it, because the flush and the sold-out
   * look-ups read the member's row anyway, which saves a read per claim on the hot path. The other paths ask
   * SessionRevocations.
   */
  async claimResult(memberId: number, templateId: number, idempotencyKey: string): Promise<ClaimResult> {
    try {
      const template = await this.templateForClaim(templateId, this.clock.now()).catch(async (error: unknown) => {
        await this.revocations.assertLive(memberId);
        throw error;
      });
      if ((template.pointsPrice ?? null) === null) return await this.combiner.claimOutcome(template, memberId, idempotencyKey);
      return { kind: 'coupon', view: await this.refusePointsOnly(memberId, templateId, idempotencyKey) };
    } catch (error) {
      // The rare refusals still thrown on the way (no such template, the points-only judgement, a replay's check).
      if (error instanceof DomainError) return { kind: 'refused', code: error.code };
      throw error;
    }
  }

  /**
   * A template with a points price, claimed as if free: judged as a claim (a retried exchange key still gets its
   * coupon back, a blocked claim hears why), then refused with COUPON_POINTS_ONLY; only the points shop issues it.
   */
  private async refusePointsOnly(memberId: number, templateId: number, idempotencyKey: string): Promise<CouponView> {
    const now = this.clock.now();
    this.templateCache.delete(templateId); // a refusal must not rest on a cached row (a template resumed a second ago)
    const template = await this.templateForClaim(templateId, now);
    const [profiles, [counts]] = await Promise.all([
      membersRepository.claimProfiles(this.dataSource.manager, [memberId]),
      this.dataSource.query(
        `SELECT (SELECT COUNT(*) FROM coupon c WHERE c.template_id = ? AND c.member_id = ?) AS claimed,
                (SELECT r.id FROM coupon r WHERE r.member_id = ? AND r.idempotency_key = ?) AS replayId`,
        [templateId, memberId, memberId, idempotencyKey],
      ) as Promise<Array<{ claimed: number | string; replayId: number | string | null }>>,
    ]);
    const member = profiles.get(memberId);
    if (member?.deleted) throw new DomainError('SESSION_REVOKED');
    if (counts.replayId !== null) return this.replay(Number(counts.replayId), template, now);
    if (!member) throw new DomainError('MEMBER_NOT_FOUND');
    const blocked = claimBlockReason(this.situation(template, member, Number(counts.claimed), now));
    throw new DomainError(blocked ?? 'COUPON_POINTS_ONLY');
  }

  /**
   * The template, from a cache of a couple of seconds: a flash claim reads the same row thousands of times a
   * second. Safe because what must be exact is read again under the row lock when stock is taken (status and
   * counters); the cached fields (window, audience, limit) do not change after creation. The read in flight is
   * what is cached, so the taps that find the entry expired together share one query (at 512 concurrent, each
   * expiry was hundreds of identical reads of the row).
   */
  private templateForClaim(templateId: number, now: Date): Promise<CouponTemplate> {
    const cached = this.templateCache.get(templateId);
    if (cached && cached.until > now.getTime()) return cached.template;
    const template = this.dataSource
      .getRepository(CouponTemplate)
      .findOneBy({ id: templateId })
      .then((found) => {
        if (!found) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
        return found;
      });
    const entry = { template, until: now.getTime() + TEMPLATE_CACHE_MS };
    if (this.templateCache.size > 1000) this.templateCache.clear();
    this.templateCache.set(templateId, entry);
    // Neither an unknown template nor a failed read is remembered.
    template.catch(() => {
      if (this.templateCache.get(templateId) === entry) this.templateCache.delete(templateId);
    });
    return template;
  }

  private async replay(couponId: number, template: CouponTemplate, now: Date): Promise<CouponView> {
    const coupon = await this.dataSource.getRepository(Coupon).findOneByOrFail({ id: couponId });
    if (coupon.templateId !== template.id) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return toCouponView(coupon, template, now, this.config.businessCalendar.timeZone);
  }

  private situation(template: CouponTemplate, member: Claimant, claimedByMe: number, now: Date): ClaimSituation {
    return {
      now,
      template: { ...template, audienceTiers: audienceTiersOf(template) },
      member: { joinedAt: member.joinedAt, tier: member.tier },
      claimedByMe,
      config: this.config,
    };
  }
}
