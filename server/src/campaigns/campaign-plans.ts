import type { AppConfig } from '@member/config';
import { type CalendarDate } from '@member/shared';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { businessDate } from '../common/clock';
import { couponValidity } from '../coupons/coupon-rules';
import { couponsRepository } from '../coupons/coupons.repository';
import { validityOf } from '../coupons/coupon.views';
import { MessagesService } from '../messages/messages.service';
import { campaignAudience } from './campaign-audience';
import type { Campaign, CampaignRun } from './campaign.entities';
import { CampaignOffers } from './campaign-offers';
import { SystemCampaignPrograms, type CampaignPlan, type CouponOffer, type ReportedCoupon } from './campaign-plan';

/** What a campaign's coupons are recognised by: one per member per run (the coupon's unique idempotency key). */
export const campaignCouponKey = (runId: number) => `campaign-run:${runId}`;
/** The claim sequence campaign coupons take: far above any per-member claim limit, one per run. */
export const campaignCouponSeq = (runId: number) => 1_000_000 + runId;
/** The outbox key of a run's message to a member: one message per campaign run and member. */
export const campaignMessageKey = (runId: number, memberId: number) => `campaign:${runId}:${memberId}`;
export const campaignMessagePrefix = (runId: number) => `campaign:${runId}:`;

/** The plan of a run: a staff campaign's from its row, a system campaign's from its program. */
@Injectable()
export class CampaignPlans {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly offers: CampaignOffers,
    private readonly programs: SystemCampaignPrograms,
  ) {}

  /** Whether this instance can issue the campaign's runs (a system campaign needs its module's program). */
  canPlan(campaign: Campaign): boolean {
    return campaign.systemKey === null || this.programs.get(campaign.systemKey) !== null;
  }

  /** The coupon a run gives, for staff's view and report: a staff campaign's template, or what a program says. */
  reportedCoupon(campaign: Campaign, run: Pick<CampaignRun, 'id' | 'period'>): ReportedCoupon | null {
    if (campaign.systemKey !== null) return this.programs.get(campaign.systemKey)?.reportedCoupon?.(run.period) ?? null;
    return campaign.couponTemplateId === null ? null : { templateId: campaign.couponTemplateId, seq: campaignCouponSeq(run.id) };
  }

  async planOf(em: EntityManager, campaign: Campaign, run: Pick<CampaignRun, 'id' | 'asOf' | 'period'>, now: Date): Promise<CampaignPlan> {
    if (campaign.systemKey === null) return this.staffPlan(em, campaign, run, now);
    const program = this.programs.get(campaign.systemKey);
    if (!program) throw new Error(`system campaign ${campaign.systemKey}: no program registered`);
    return program.plan(em, { campaignId: campaign.id, runId: run.id, period: run.period, asOf: run.asOf, now });
  }

  private async staffPlan(em: EntityManager, campaign: Campaign, run: Pick<CampaignRun, 'id' | 'asOf'>, now: Date): Promise<CampaignPlan> {
    const timeZone = this.config.businessCalendar.timeZone;
    let coupon: CouponOffer | null = null;
    if (campaign.couponTemplateId !== null) {
      const template = await couponsRepository.findTemplate(em, campaign.couponTemplateId);
      if (!template) throw new Error(`campaign ${campaign.id}: no coupon template ${campaign.couponTemplateId}`);
      coupon = {
        templateId: template.id,
        name: template.name,
        ...couponValidity(validityOf(template), now, timeZone),
        idempotencyKey: campaignCouponKey(run.id),
        seq: campaignCouponSeq(run.id),
      };
    }
    const points = campaign.points;
    return {
      audience: campaignAudience(em, this.config, { campaignId: campaign.id, ...campaign }, run),
      coupon,
      points: points > 0 ? { points, sourceKey: (memberId) => `campaign-run:${run.id}:member:${memberId}` } : null,
      doublePointsUntil: null,
      message:
        campaign.messageKind === null
          ? null
          : this.offers.toEachMember(campaign.messageKind, (member, gotCoupon) => {
              const offer = campaign.offerText ?? (gotCoupon && coupon ? `${coupon.name}已到账` : `${points}积分已到账`);
              const until = businessDate(coupon?.validUntil ?? now, timeZone) as CalendarDate;
              return {
                vars: {
                  name: MessagesService.displayName(member),
                  couponName: gotCoupon && coupon ? coupon.name : offer,
                  expiresOn: until,
                  offer,
                  gift: offer,
                  validUntil: until,
                  delta: points,
                  balance: points,
                  reason: campaign.name,
                },
                dedupeKey: campaignMessageKey(run.id, member.id),
              };
            }),
    };
  }
}
