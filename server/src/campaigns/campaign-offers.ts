import type { AppConfig } from '@member/config';
import type { MessageKind } from '@member/shared';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { membersRepository, type MemberIdsSql } from '../members/members.repository';
import { reachableAmong } from '../messages/message-reach';
import { MessagesService, type QueueMessage } from '../messages/messages.service';
import { PointsLedger, type Movement } from '../points/points-ledger';
import type { CampaignPlan, CouponOffer, MessageOffer, PointsOffer, ReachableMember } from './campaign-plan';

const CAMPAIGN_POINTS: Movement['reason'] = 'campaign';

/** One chunk of a run, as the offers see it. */
export interface OfferChunk {
  runId: number;
  from: number;
  to: number;
  /** The treated (not held out) members, as SQL over the run's campaign_member rows. */
  treated: MemberIdsSql;
  treatedCount: number;
  /** Their ids, ascending: read only when an offer needs them (needsMemberIds); empty otherwise. */
  treatedIds: number[];
  now: Date;
}

export interface OffersGiven {
  couponsIssued: number;
  couponsShort: number;
  pointsGranted: number;
  messagesQueued: number;
  messagesNoGrant: number;
}

/** Thrown inside a chunk's transaction when the stock cannot cover its coupons: the chunk rolls back and comes again scarce. */
export class StockRanShort extends Error {
  constructor() {
    super('the coupon stock cannot cover the chunk');
  }
}

/** Whether an offer needs the chunk's treated ids in Node (points go one by one; double points by IN list). */
export function needsMemberIds(plan: CampaignPlan): boolean {
  return plan.points !== null || plan.doublePointsUntil !== null;
}

/** The treated members of a run's chunk, as SQL over its campaign_member rows (primary key: run, member). */
export function treatedInChunk(runId: number, from: number, to: number): MemberIdsSql {
  return {
    memberId: 'cm.member_id',
    from: 'campaign_member cm',
    where: 'cm.run_id = ? AND cm.member_id BETWEEN ? AND ? AND cm.holdout = 0',
    params: [runId, from, to],
  };
}

/**
 * The offers a campaign run applies to each chunk, inside the chunk's transaction: the coupon (stock per chunk,
 * rows set-based through CouponIssuer), points (through the ledger), a double-points window (on the member rows,
 * through members' repository), the program's record and a message (into the outbox, for the members it can
 * reach). Coupons, the record and the message's reach are one statement each over the chunk's treated members
 * (their campaign_member rows), double points one IN list of their ids; points go member by member. Each is once
 * per member by a unique key of its own, so a chunk retried after a rollback gives nothing twice.
 */
@Injectable()
export class CampaignOffers {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly ledger: PointsLedger,
    private readonly messages: MessagesService,
    private readonly coupons: CouponIssuer,
  ) {}

  /**
   * Gives the chunk its offers. Its coupons are inserted first and their stock taken last (`takeStock`, by one
   * conditional UPDATE, so the template row, which every chunk and claim of the template updates, is locked only
   * for the end of the chunk's transaction); when the stock cannot cover them that throws StockRanShort, and the
   * chunk, rolled back, comes again `scarce`: it locks the template row first and takes what is left.
   */
  async give(em: EntityManager, plan: CampaignPlan, chunk: OfferChunk, options: { scarce: boolean }): Promise<OffersGiven> {
    const given: OffersGiven = { couponsIssued: 0, couponsShort: 0, pointsGranted: 0, messagesQueued: 0, messagesNoGrant: 0 };
    if (chunk.treatedCount === 0) return given;
    let gotCoupon = (_memberId: number) => false;
    if (plan.coupon) {
      given.couponsIssued = await this.issueCoupons(em, plan.coupon, chunk, options.scarce);
      given.couponsShort = chunk.treatedCount - given.couponsIssued;
      gotCoupon = given.couponsShort === 0 ? () => true : await this.firstMembers(em, chunk, given.couponsIssued);
    }
    if (plan.points) given.pointsGranted = await this.grantPoints(em, plan.points, chunk);
    if (plan.doublePointsUntil) await membersRepository.setDoublePointsUntil(em, chunk.treatedIds, plan.doublePointsUntil);
    await plan.record?.(em, { treated: chunk.treated });
    if (plan.message) {
      const templateId = this.config.messages.templates[plan.message.kind].templateId;
      const reachable = await reachableAmong(em, { templateId, kind: plan.message.kind }, chunk.treated);
      given.messagesNoGrant = chunk.treatedCount - reachable.length;
      if (reachable.length > 0) given.messagesQueued = await plan.message.queue(em, reachable, gotCoupon);
    }
    return given;
  }

  /**
   * The stock of the coupons `give` issued, taken last in the chunk's transaction (see `give`): throws
   * StockRanShort when it cannot cover them. Nothing to take when `scarce` (taken before issuing).
   */
  async takeStock(em: EntityManager, plan: CampaignPlan, couponsIssued: number, options: { scarce: boolean }): Promise<void> {
    if (!plan.coupon || options.scarce || couponsIssued === 0) return;
    if (!(await this.coupons.takeStock(em, plan.coupon.templateId, couponsIssued))) throw new StockRanShort();
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
      queue: (em, reachable, gotCoupon) =>
        this.messages.queueMany(
          em,
          kind,
          reachable.map((member) => ({ memberId: member.id, ...compose(member, gotCoupon(member.id)) })),
        ),
    };
  }

  /**
   * The chunk's coupons, set-based over its treated members: to each of them (their stock is taken at the end of
   * `give`), or when `scarce` to the first by id as far as what is left of the stock goes (taken now, under the
   * template's lock; nothing when it is paused or sold out). Answers how many.
   */
  private async issueCoupons(em: EntityManager, coupon: CouponOffer, chunk: OfferChunk, scarce: boolean): Promise<number> {
    const count = scarce ? await this.coupons.takeRemainingStock(em, coupon.templateId, chunk.treatedCount) : chunk.treatedCount;
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
      { ...chunk.treated, limit: count },
    );
    return count;
  }

  /** Who got the coupon when stock ran short in the chunk: its first `count` treated members by id. */
  private async firstMembers(em: EntityManager, chunk: OfferChunk, count: number): Promise<(memberId: number) => boolean> {
    if (count === 0) return () => false;
    const { memberId, from, where, params } = chunk.treated;
    const rows: Array<{ memberId: number | string }> = await em.query(
      `SELECT ${memberId} AS memberId FROM ${from} WHERE ${where} ORDER BY ${memberId} LIMIT ${Math.floor(count)}`,
      params,
    );
    const ids = new Set(rows.map((row) => Number(row.memberId)));
    return (id) => ids.has(id);
  }

  /** Points through the ledger: its source key makes each member's grant once. Answers the points granted. */
  private async grantPoints(em: EntityManager, offer: PointsOffer, chunk: OfferChunk): Promise<number> {
    let granted = 0;
    const expiresAt = this.ledger.expiryFor(chunk.now); // like earned points
    for (const memberId of chunk.treatedIds) {
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
