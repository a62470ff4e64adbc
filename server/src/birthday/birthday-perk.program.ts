import type { AppConfig } from '@member/config';
import { birthdayWindowContaining, MessageKind, type BirthdayWindow, type CalendarDate } from '@member/shared';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import {
  SystemCampaignPrograms,
  type CampaignPlan,
  type ChunkGiven,
  type CouponOffer,
  type ReportedCoupon,
  type SystemCampaignProgram,
  type SystemRunContext,
} from '../campaigns/campaign-plan';
import { campaignMessageKey } from '../campaigns/campaign-plans';
import { SystemCampaign } from '../campaigns/system-campaigns';
import { InjectConfig } from '../common/app-config';
import { couponValidity } from '../coupons/coupon-rules';
import { couponsRepository } from '../coupons/coupons.repository';
import { validityOf } from '../coupons/coupon.views';
import { sqlDate } from '../database/sql';
import { MessagesService } from '../messages/messages.service';
import { birthdayAudience, birthdayCouponKey } from './birthday-sql';

/**
 * The birthday perk (生日礼遇) as the 'birthday-perk' system campaign's plan, issued by the campaign runner: on a
 * run's day, every joined member whose birthday window (birthday.perk.window: the month, or the day) is open and
 * who has no perk for the window's year gets the birthday coupon (birthday.perk.couponTemplateId; none when
 * unset, or as far as its stock goes), double points through the window's last second, and the birthday
 * greeting when they accepted it. Every open window is worked, not only one opening that day: a month whose 1st
 * was missed (an outage) is caught up on the 2nd, and a birthday set inside its window gets the perk the next day.
 *
 * Once a year holds by unique keys, not by care: birthday_perk (member, year) is the ledger the audience reads
 * and each chunk writes (the till's settlement reads the double points from the member row; reports read the
 * ledger), and the coupon's (member, idempotency key `birthday:<year>`) and (template, member, seq = year) keys
 * refuse a second coupon. A birthday changed into a later window earns nothing more that year.
 */
@Injectable()
export class BirthdayPerkProgram implements SystemCampaignProgram, OnModuleInit {
  readonly key = SystemCampaign.BirthdayPerk;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly programs: SystemCampaignPrograms,
    private readonly messages: MessagesService,
  ) {}

  onModuleInit(): void {
    this.programs.register(this);
  }

  /** The window a run of `runOn` works on. */
  windowOf(runOn: CalendarDate): BirthdayWindow {
    return birthdayWindowContaining(runOn, this.config.birthday.perk.window);
  }

  async plan(em: EntityManager, run: SystemRunContext): Promise<CampaignPlan> {
    const timeZone = this.config.businessCalendar.timeZone;
    const window = this.windowOf(run.period as CalendarDate);
    const doublePointsUntil = new Date(
      DateTime.fromISO(window.closesOn, { zone: timeZone }).plus({ days: 1 }).startOf('day').toMillis() - 1000,
    );
    const coupon = await this.couponOf(em, window, run.now);
    return {
      audience: birthdayAudience(window),
      coupon,
      points: null,
      doublePointsUntil,
      message: {
        kind: MessageKind.Birthday,
        // Queued with the perk, sent by the sender once the quiet hours the 00:05 run falls in are over.
        queue: async (tx, reachable, gotCoupon) => {
          let queued = 0;
          for (const member of reachable) {
            const outcome = await this.messages.queue(tx, {
              memberId: member.id,
              kind: MessageKind.Birthday,
              vars: {
                name: MessagesService.displayName(member),
                gift: gotCoupon(member.id) && coupon ? `${coupon.name}已放入券包` : '生日期间消费享双倍积分',
                validUntil: window.closesOn,
              },
              // One per run and member like every campaign's message (so the run report follows it); once a
              // year because the perk ledger treats a member once a year.
              dedupeKey: campaignMessageKey(run.runId, member.id),
            });
            if (outcome === 'queued') queued++;
          }
          return queued;
        },
      },
      record: (tx, given) => this.recordPerks(tx, window.year, doublePointsUntil, run.now, coupon, given),
    };
  }

  reportedCoupon(period: string): ReportedCoupon | null {
    const templateId = this.config.birthday.perk.couponTemplateId;
    return templateId === null ? null : { templateId, seq: this.windowOf(period as CalendarDate).year };
  }

  private async couponOf(em: EntityManager, window: BirthdayWindow, now: Date): Promise<CouponOffer | null> {
    const templateId = this.config.birthday.perk.couponTemplateId;
    if (templateId === null) return null;
    const template = await couponsRepository.findTemplate(em, templateId);
    // A configured template that does not exist is a configuration error: stop before granting anything,
    // rather than hand out this year's perks without the coupon for good.
    if (!template) throw new Error(`birthday.perk.couponTemplateId ${templateId}: no such coupon template`);
    return {
      templateId,
      name: template.name,
      ...couponValidity(validityOf(template), now, this.config.businessCalendar.timeZone),
      idempotencyKey: birthdayCouponKey(window.year),
      // seq = the perk year: far above any per-member claim limit (≤ 100), so a birthday coupon never takes the
      // seq of a claim of the same template, and a second one for the same year hits the unique key.
      seq: window.year,
    };
  }

  /**
   * The perk ledger's rows for the chunk, one INSERT … SELECT over its treated members: each perk points at the
   * coupon the chunk gave, found by the coupon's (template, member, seq = year) key, integers only (none when
   * stock ran short).
   */
  private async recordPerks(
    em: EntityManager,
    year: number,
    until: Date,
    now: Date,
    coupon: CouponOffer | null,
    given: ChunkGiven,
  ): Promise<void> {
    const { memberId, from, where, params } = given.treated;
    const join = coupon
      ? {
          id: 'c.id',
          sql: `LEFT JOIN coupon c ON c.template_id = ? AND c.member_id = ${memberId} AND c.seq = ?`,
          params: [coupon.templateId, coupon.seq],
        }
      : { id: 'NULL', sql: '', params: [] };
    await em.query(
      `INSERT INTO birthday_perk (member_id, year, coupon_id, double_points_until, created_at)
       SELECT ${memberId}, ?, ${join.id}, ?, ? FROM ${from} ${join.sql} WHERE ${where}`,
      [year, sqlDate(em, until), sqlDate(em, now), ...join.params, ...params],
    );
  }
}
