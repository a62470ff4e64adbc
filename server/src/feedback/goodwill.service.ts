import type { AppConfig } from '@member/config';
import { couponFaceFen, goodwillWithinLimit, GoodwillKind, MessageKind, type CalendarDate } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { InjectConfig } from '../common/app-config';
import { RuntimeSettings } from '../settings/runtime-settings.service';
import { businessDate } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { newCouponCode } from '../coupons/claim-combiner';
import { CouponIssuer } from '../coupons/coupon-issuer';
import { couponValidity } from '../coupons/coupon-rules';
import { couponsRepository } from '../coupons/coupons.repository';
import { validityOf } from '../coupons/coupon.views';
import { TransactionRunner } from '../database/transaction-runner';
import { MessagesService } from '../messages/messages.service';
import { PointsLedger } from '../points/points-ledger';
import { membersRepository } from '../members/members.repository';
import { GoodwillGrant } from './feedback.entities';

/** Goodwill coupons take a claim sequence of their own: far above claims (≤ 100) and campaign runs (1,000,000 + run). */
export const goodwillCouponSeq = (grantId: number) => 500_000_000 + grantId;
/** The ledger line of a points grant: one per grant (the ledger's unique source key). */
export const goodwillSourceKey = (grant: { id: number; kind: GoodwillKind }) =>
  `${grant.kind === GoodwillKind.Adjustment ? 'adjust' : 'goodwill'}:${grant.id}`;

export type GoodwillAsk = { kind: 'points'; points: number; reason: string } | { kind: 'coupon'; templateId: number; reason: string };

export interface GrantNotice {
  memberId: number;
  grantId: number;
  kind: 'points' | 'coupon';
  points: number;
  balanceAfter: number | null;
  couponName: string | null;
  validUntil: Date | null;
}

/**
 * Gives goodwill to one member inside the caller's transaction: checks the role's limit, writes the grant row
 * (its unique keys stop a second grant for the same request or case), then the points through PointsLedger or
 * the coupon through the one CouponIssuer (stock taken by its conditional UPDATE). A refusal rolls it all back.
 */
@Injectable()
export class GoodwillService {
  private readonly logger = new Logger(GoodwillService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly issuer: CouponIssuer,
    private readonly ledger: PointsLedger,
    private readonly transactions: TransactionRunner,
    private readonly messages: MessagesService,
    private readonly settings: RuntimeSettings,
  ) {}

  async grant(
    em: EntityManager,
    staff: StaffAccount,
    input: { caseId: number | null; memberId: number; ask: GoodwillAsk; idempotencyKey: string; now: Date },
  ): Promise<GrantNotice> {
    const { ask, memberId, now } = input;
    await assertNotOwnAccount(em, staff, memberId);
    // A runtime setting (设置): HQ may change the limits in the console without a deploy.
    const limits = await this.settings.get('feedback.goodwillLimits');
    // Locked as it is read: a coupon is given with the terms the template has now, never a snapshot's older ones.
    const template = ask.kind === 'coupon' ? await couponsRepository.lockTemplate(em, ask.templateId) : null;
    if (ask.kind === 'coupon' && !template) throw new DomainError('COUPON_TEMPLATE_NOT_FOUND');
    const faceFen = template ? couponFaceFen(template) : 0;
    const within =
      ask.kind === 'points'
        ? goodwillWithinLimit(staff.role, { kind: 'points', points: ask.points }, limits)
        : goodwillWithinLimit(staff.role, { kind: 'coupon', faceFen }, limits);
    if (!within) throw new DomainError('GOODWILL_OVER_LIMIT', undefined, { staffId: staff.id, role: staff.role });

    const inserted = await em.insert(GoodwillGrant, {
      caseId: input.caseId,
      memberId,
      kind: ask.kind === 'points' ? GoodwillKind.Points : GoodwillKind.Coupon,
      points: ask.kind === 'points' ? ask.points : 0,
      couponId: null,
      templateId: template?.id ?? null,
      faceFen: Number.isFinite(faceFen) ? faceFen : 0,
      reason: ask.reason,
      staffId: staff.id,
      staffRole: staff.role,
      idempotencyKey: input.idempotencyKey,
      createdAt: now,
    });
    const grantId = Number(inserted.identifiers[0].id);
    if (ask.kind === 'points') {
      const line = await this.ledger.credit(em, {
        memberId,
        points: ask.points,
        reason: 'goodwill',
        sourceKey: goodwillSourceKey({ id: grantId, kind: GoodwillKind.Points }),
        now,
        expiresAt: this.ledger.expiryFor(now),
      });
      return {
        memberId,
        grantId,
        kind: 'points',
        points: ask.points,
        balanceAfter: line?.balanceAfter ?? null,
        couponName: null,
        validUntil: null,
      };
    }
    const { validFrom, validUntil } = couponValidity(validityOf(template!), now, this.config.businessCalendar.timeZone);
    // A fixed-dates template whose validity has ended would hand the member a coupon that is already expired.
    if (validUntil.getTime() <= now.getTime()) throw new DomainError('GOODWILL_COUPON_UNAVAILABLE');
    // The template row is locked from the read above, as a claim's flush locks it before its coupons.
    const couponId = await this.issuer.issueOne(em, {
      templateId: template!.id,
      memberId,
      seq: goodwillCouponSeq(grantId),
      code: newCouponCode(),
      validFrom,
      validUntil,
      idempotencyKey: `goodwill:${grantId}`,
      claimedAt: now,
    });
    if (!(await this.issuer.takeStock(em, template!.id, 1))) throw new DomainError('GOODWILL_COUPON_UNAVAILABLE');
    await em.update(GoodwillGrant, { id: grantId }, { couponId });
    return { memberId, grantId, kind: 'coupon', points: 0, balanceAfter: null, couponName: template!.name, validUntil };
  }

  /**
   * After commit: a subscribed member hears of the goodwill (积分变动 for points, 优惠券到账 for a coupon), once
   * per grant; a failure here never undoes the grant.
   */
  async notify(notice: GrantNotice): Promise<void> {
    try {
      await this.transactions.run((em) =>
        notice.kind === 'points'
          ? this.messages.queueIfReachable(em, {
              memberId: notice.memberId,
              kind: MessageKind.PointsChange,
              vars: { delta: notice.points, balance: notice.balanceAfter ?? notice.points, reason: '服务补偿积分' },
              dedupeKey: `goodwill:${notice.grantId}`,
            })
          : this.messages.queueIfReachable(em, {
              memberId: notice.memberId,
              kind: MessageKind.CouponArrived,
              vars: {
                couponName: notice.couponName ?? '服务补偿券',
                expiresOn: businessDate(notice.validUntil!, this.config.businessCalendar.timeZone) as CalendarDate,
              },
              dedupeKey: `goodwill:${notice.grantId}`,
            }),
      );
    } catch (error) {
      this.logger.error({ err: error, grantId: notice.grantId }, 'goodwill message could not be queued');
    }
  }
}

/**
 * Staff never give goodwill, gifts or points to their own member account: a clerk who is also a member (the same
 * WeChat user, so the same openid) could otherwise raise a case on their own purchase and resolve it with points or
 * a coupon for themselves, again and again. Audited or not, that is for someone else to decide.
 */
export async function assertNotOwnAccount(em: EntityManager, staff: Pick<StaffAccount, 'openid'>, memberId: number): Promise<void> {
  const member = await membersRepository.find(em, memberId);
  if (member && member.openid === staff.openid) throw new DomainError('GOODWILL_TO_SELF');
}
