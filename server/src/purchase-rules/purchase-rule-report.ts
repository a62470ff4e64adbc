import type { AppConfig } from '@member/config';
import type { PurchaseRuleReport } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { sqlDate } from '../database/dialect';
import { PurchaseRulesService } from './purchase-rules.service';

const n = (value: unknown): number => Number(value ?? 0);

/**
 * A rule's report: its grants and what they cost — points still out at ¥0.01 each (granted − clawed back), the
 * discount of used reward coupons, and the losses (used coupons of sales refunded in full) — and the sales of the
 * members it rewarded: what the triggering purchases paid, and their later purchases within the rule's dates.
 * Reads only (the coupon and purchase tables through plain SELECTs; their owners write them).
 */
@Injectable()
export class PurchaseRuleReports {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly rules: PurchaseRulesService,
  ) {}

  async report(ruleId: number): Promise<PurchaseRuleReport> {
    const rule = await this.rules.find(ruleId);
    const em = this.dataSource.manager;
    const [grants] = await em.query(
      `SELECT COUNT(*) AS grants, SUM(CASE WHEN taken_back_at IS NULL THEN 0 ELSE 1 END) AS takenBack, SUM(points) AS points,
              SUM(points_clawed) AS clawed, SUM(coupon_count) AS coupons, SUM(coupons_voided) AS voided, SUM(loss_fen) AS loss,
              COUNT(DISTINCT member_id) AS members, SUM(paid_fen) AS paid
         FROM purchase_rule_grant WHERE rule_id = ?`,
      [ruleId],
    );
    const [coupons] = await em.query(
      `SELECT SUM(CASE WHEN c.status = 'redeemed' THEN 1 ELSE 0 END) AS used,
              SUM(CASE WHEN g.taken_back_at IS NULL AND r.id IS NOT NULL THEN r.discount_fen ELSE 0 END) AS discount
         FROM purchase_rule_grant g
         JOIN purchase_rule_grant_coupon gc ON gc.grant_id = g.id
         JOIN coupon c ON c.id = gc.coupon_id
         LEFT JOIN coupon_redemption r ON r.coupon_id = c.id AND r.status = 'redeemed'
        WHERE g.rule_id = ?`,
      [ruleId],
    );
    const until = rule.endsOn
      ? DateTime.fromISO(rule.endsOn, { zone: this.config.businessCalendar.timeZone }).plus({ days: 1 }).toJSDate()
      : null;
    const [later] = await em.query(
      `SELECT COUNT(*) AS purchases, SUM(p.paid_fen - p.refunded_fen) AS paid
         FROM purchase p
         JOIN (SELECT member_id, MIN(purchase_id) AS first_id FROM purchase_rule_grant WHERE rule_id = ? GROUP BY member_id) f
           ON f.member_id = p.member_id AND p.id > f.first_id
        WHERE p.id NOT IN (SELECT purchase_id FROM purchase_rule_grant WHERE rule_id = ?)${until ? ' AND p.purchased_at < ?' : ''}`,
      until ? [ruleId, ruleId, sqlDate(em, until)] : [ruleId, ruleId],
    );
    const pointsCostFen = n(grants.points) - n(grants.clawed);
    const couponDiscountFen = n(coupons?.discount);
    const lossFen = n(grants.loss);
    return {
      ruleId,
      grants: n(grants.grants),
      takenBack: n(grants.takenBack),
      pointsGranted: n(grants.points),
      pointsClawed: n(grants.clawed),
      couponsGranted: n(grants.coupons),
      couponsUsed: n(coupons?.used),
      couponsVoided: n(grants.voided),
      costFen: pointsCostFen + couponDiscountFen + lossFen,
      pointsCostFen,
      couponDiscountFen,
      lossFen,
      rewardedMembers: n(grants.members),
      triggeringPaidFen: n(grants.paid),
      laterPaidFen: n(later.paid),
      laterPurchases: n(later.purchases),
    };
  }
}
