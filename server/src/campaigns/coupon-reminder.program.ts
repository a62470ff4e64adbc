import type { AppConfig } from '@member/config';
import { CampaignSchedule, CouponStatus, MessageKind, type CalendarDate } from '@member/shared';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { addBusinessDays, businessDate } from '../common/clock';
import { sqlDate, sqlDateValue } from '../database/sql';
import { MessagesService } from '../messages/messages.service';
import { campaignAudience } from './campaign-audience';
import {
  SystemCampaignPrograms,
  type CampaignPlan,
  type ReachableMember,
  type SystemCampaignProgram,
  type SystemRunContext,
} from './campaign-plan';
import { SystemCampaign } from './system-campaigns';

/** Members per IN list. */
const IDS_PER_STATEMENT = 500;

/**
 * The coupon-expiry reminder's plan: the members holding an unused coupon whose last day is `daysBefore`
 * (config) business days after the run's day, and one message per such coupon (its name and last day), the
 * outbox key `coupon-expiring:<coupon id>` making it once per coupon across runs. No coupon or points.
 */
@Injectable()
export class CouponReminderProgram implements SystemCampaignProgram, OnModuleInit {
  readonly key = SystemCampaign.CouponReminder;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly programs: SystemCampaignPrograms,
    private readonly messages: MessagesService,
  ) {}

  onModuleInit(): void {
    this.programs.register(this);
  }

  plan(em: EntityManager, run: SystemRunContext): Promise<CampaignPlan> {
    const daysBefore = this.config.messages.couponExpiringReminder.daysBefore;
    return Promise.resolve({
      audience: campaignAudience(
        em,
        this.config,
        { campaignId: run.campaignId, filter: '{}', schedule: CampaignSchedule.CouponExpiry, dormantDays: null, daysBefore },
        { id: run.runId, asOf: run.asOf },
      ),
      coupon: null,
      points: null,
      doublePointsUntil: null,
      message: { kind: MessageKind.CouponExpiring, queue: (tx, reachable) => this.remindOfExpiringCoupons(tx, run.asOf, reachable) },
    });
  }

  /** One message per expiring coupon of each reachable member. Answers how many were new. */
  private async remindOfExpiringCoupons(em: EntityManager, asOf: Date, reachable: ReachableMember[]): Promise<number> {
    const timeZone = this.config.businessCalendar.timeZone;
    // Every coupon still valid whose last day is at most `daysBefore` days away (the per-coupon dedupe key keeps
    // it to one reminder): a coupon valid for fewer days than that, or claimed after the day's run, or a day
    // whose run was missed, is reminded at the next run instead of never.
    const from = asOf;
    const to = addBusinessDays(asOf, this.config.messages.couponExpiringReminder.daysBefore + 1, timeZone);
    let queued = 0;
    for (let i = 0; i < reachable.length; i += IDS_PER_STATEMENT) {
      const batch = reachable.slice(i, i + IDS_PER_STATEMENT).map((m) => m.id);
      const coupons: Array<{ id: number | string; memberId: number | string; validUntil: Date | string; name: string }> = await em.query(
        `SELECT c.id, c.member_id AS memberId, c.valid_until AS validUntil, t.name
          FROM coupon c JOIN coupon_template t ON t.id = c.template_id
          WHERE c.member_id IN (${batch.map(() => '?').join(', ')})
            AND c.status = ? AND c.valid_until >= ? AND c.valid_until < ? ORDER BY c.id`,
        [...batch, CouponStatus.Available, sqlDate(em, from), sqlDate(em, to)],
      );
      for (const coupon of coupons) {
        const outcome = await this.messages.queue(em, {
          memberId: Number(coupon.memberId),
          kind: MessageKind.CouponExpiring,
          vars: { couponName: coupon.name, expiresOn: businessDate(sqlDateValue(coupon.validUntil), timeZone) as CalendarDate },
          dedupeKey: `coupon-expiring:${coupon.id}`,
        });
        if (outcome === 'queued') queued++;
      }
    }
    return queued;
  }
}
