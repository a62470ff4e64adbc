import type { AppConfig } from '@member/config';
import type { MessageKind } from '@member/shared';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { membersRepository } from '../members/members.repository';
import { reachableMembers } from '../messages/message-reach';
import { MessagesService, type QueueMessage } from '../messages/messages.service';
import { PointsLedger, type Movement } from '../points/points-ledger';
import type { CampaignPlan, CouponOffer, MessageOffer, PointsOffer, ReachableMember } from './campaign-plan';

/** Ids per IN list (SQLite builds may stop at 999 placeholders a statement). */
const IDS_PER_STATEMENT = 500;
const CAMPAIGN_POINTS: Movement['reason'] = 'campaign';

/** One chunk of a run, as the offers see it. */
export interface OfferChunk {
  runId: number;
  from: number;
  to: number;
  /** The treated (not held out) members, ascending; empty when no offer needs their ids. */
  treated: number[];
  treatedCount: number;
  now: Date;
}

export interface OffersGiven {
  couponsIssued: number;
  couponsShort: number;
  pointsGranted: number;
  messagesQueued: number;
  messagesNoGrant: number;
}

/** Whether an offer gives to members one by one, so the chunk's treated ids must be read. */
export function needsMemberIds(plan: CampaignPlan): boolean {
  return plan.points !== null || plan.message !== null || plan.doublePointsUntil !== null || plan.record !== undefined;
}

/**
 * The offers a campaign run applies to each chunk, inside the chunk's transaction: the coupon (stock per chunk,
 * rows set-based through CouponIssuer), points (through the ledger), a double-points window (on the member row,
 * through members' repository) and a message (into the outbox, for the members it can reach). Each is once per
 * member by a unique key of its own, so a chunk retried after a rollback gives nothing twice.
 */
@Injectable()
export class CampaignOffers {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly ledger: PointsLedger,
    private readonly messages: MessagesService,
    private readonly coupons: CouponIssuer,
  ) {}

  async give(em: EntityManager, plan: CampaignPlan, chunk: OfferChunk): Promise<OffersGiven> {
    const given: OffersGiven = { couponsIssued: 0, couponsShort: 0, pointsGranted: 0, messagesQueued: 0, messagesNoGrant: 0 };
    let withCoupon: number[] = [];
    if (plan.coupon && chunk.treatedCount > 0) {
      given.couponsIssued = await this.issueCoupons(em, plan.coupon, chunk);
      given.couponsShort = chunk.treatedCount - given.couponsIssued;
      // Coupons go to the first members by id when stock runs short (issueToSelection's order).
      withCoupon = chunk.treated.slice(0, given.couponsIssued);
    }
    if (plan.points) given.pointsGranted = await this.grantPoints(em, plan.points, chunk);
    if (plan.doublePointsUntil && chunk.treated.length > 0)
      await membersRepository.setDoublePointsUntil(em, chunk.treated, plan.doublePointsUntil);
    await plan.record?.(em, { treated: chunk.treated, withCoupon });
    if (plan.message && chunk.treated.length > 0) {
      const templateId = this.config.messages.templates[plan.message.kind].templateId;
      const reachable = await reachableMembers(em, { templateId, kind: plan.message.kind }, chunk.treated, IDS_PER_STATEMENT);
      given.messagesNoGrant = chunk.treated.length - reachable.length;
      if (reachable.length > 0) given.messagesQueued = await plan.message.queue(em, reachable, new Set(withCoupon));
    }
    return given;
  }

  /**
   * A message to each reachable member, composed per member; queued set-based (multi-row INSERTs), so its keys
   * must be new to the outbox (one per run and member).
   */
  toEachMember(
    kind: MessageKind,
    compose: (member: ReachableMember, gotCoupon: boolean) => Omit<QueueMessage, 'kind' | 'memberId'>,
  ): MessageOffer {
    return {
      kind,
      queue: (em, reachable, withCoupon) =>
        this.messages.queueMany(
          em,
          kind,
          reachable.map((member) => ({ memberId: member.id, ...compose(member, withCoupon.has(member.id)) })),
        ),
    };
  }

  /**
   * The chunk's coupons: stock for all of them in one conditional UPDATE (when short or paused, what is left,
   * under the template's lock), then the rows, set-based over the chunk's treated members. Answers how many.
   */
  private async issueCoupons(em: EntityManager, coupon: CouponOffer, chunk: OfferChunk): Promise<number> {
    let count = chunk.treatedCount;
    if (!(await this.coupons.takeStock(em, coupon.templateId, count)))
      count = await this.coupons.takeRemainingStock(em, coupon.templateId, count);
    if (count === 0) return 0;
    await this.coupons.issueToSelection(
      em,
      {
        templateId: coupon.templateId,
        seq: coupon.seq,
        idempotencyKey: coupon.idempotencyKey,
        validFrom: coupon.validFrom,
        validUntil: coupon.validUntil,
        at: chunk.now,
      },
      {
        memberId: 'cm.member_id',
        from: 'campaign_member cm',
        where: 'cm.run_id = ? AND cm.member_id BETWEEN ? AND ? AND cm.holdout = 0',
        params: [chunk.runId, chunk.from, chunk.to],
        limit: count,
      },
    );
    return count;
  }

  /** Points through the ledger: its source key makes each member's grant once. Answers the points granted. */
  private async grantPoints(em: EntityManager, offer: PointsOffer, chunk: OfferChunk): Promise<number> {
    let granted = 0;
    const expiresAt = this.ledger.expiryFor(chunk.now); // like earned points
    for (const memberId of chunk.treated) {
      const line = await this.ledger.credit(em, {
        memberId,
        points: offer.points,
        reason: CAMPAIGN_POINTS,
        sourceKey: offer.sourceKey(memberId),
        now: chunk.now,
        expiresAt,
      });
      if (line) granted += offer.points;
    }
    return granted;
  }
}
