import type { AppConfig } from '@member/config';
import { mean, median, type FeedbackCategory, type FeedbackReport, type FeedbackReportRow } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Between, DataSource, In } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { InjectConfig } from '../common/app-config';
import { couponsRepository } from '../coupons/coupons.repository';
import { FeedbackCase, GoodwillGrant } from './feedback.entities';

const minutesBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 60_000;
const round1 = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

/**
 * The service-recovery report for the cases raised in a range of business days: volume by category and store,
 * first-response and resolution times, the share answered within the deadline, the rating, and goodwill cost
 * (points at ¥0.01 each; a coupon at the discount it gave when used, else its face value). A store's staff
 * see their stores; HQ sees all.
 */
@Injectable()
export class FeedbackReportService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly stores: StoresService,
  ) {}

  async report(staff: StaffAccount, range: { from: string; to: string }): Promise<FeedbackReport> {
    const zone = this.config.businessCalendar.timeZone;
    const start = DateTime.fromISO(range.from, { zone }).startOf('day').toJSDate();
    const end = new Date(DateTime.fromISO(range.to, { zone }).plus({ days: 1 }).startOf('day').toMillis() - 1);
    const visible = this.stores.visibleStores(staff);
    const all = await this.dataSource.getRepository(FeedbackCase).find({ where: { createdAt: Between(start, end) } });
    const cases = visible === null ? all : all.filter((c) => c.storeCode !== null && visible.includes(c.storeCode));

    const count = (key: (c: FeedbackCase) => string) => {
      const counts = new Map<string, number>();
      for (const c of cases) counts.set(key(c), (counts.get(key(c)) ?? 0) + 1);
      return counts;
    };
    const byCategory: FeedbackReportRow[] = [...count((c) => c.category)].map(([key, n]) => ({
      key,
      label: this.config.feedback.categories[key as FeedbackCategory] ?? key,
      cases: n,
    }));
    const storeNames = new Map(this.config.stores.map((s) => [s.code, s.name]));
    const byStore: FeedbackReportRow[] = [...count((c) => c.storeCode ?? '')].map(([key, n]) => ({
      key,
      label: key === '' ? '线上（总部）' : (storeNames.get(key) ?? key),
      cases: n,
    }));
    const sortRows = (rows: FeedbackReportRow[]) => rows.sort((a, b) => b.cases - a.cases || a.key.localeCompare(b.key));

    const responded = cases.filter((c) => c.firstResponseAt !== null);
    const firstResponse = responded.map((c) => minutesBetween(c.createdAt, c.firstResponseAt!));
    const inTime = responded.filter((c) => c.firstResponseAt!.getTime() <= c.dueAt.getTime()).length;
    const resolved = cases.filter((c) => c.resolvedAt !== null);
    const resolution = resolved.map((c) => minutesBetween(c.createdAt, c.resolvedAt!));
    const ratings = cases.flatMap((c) => (c.rating === null ? [] : [c.rating]));

    const grants = cases.length
      ? await this.dataSource.getRepository(GoodwillGrant).find({ where: { caseId: In(cases.map((c) => c.id)) } })
      : [];
    const couponIds = grants.flatMap((g) => (g.couponId ? [g.couponId] : []));
    // A goodwill coupon that was used cost its discount; one not used (yet), its face value.
    const discounts = await couponsRepository.redeemedDiscounts(this.dataSource.manager, couponIds);
    const goodwillPoints = grants.reduce((sum, g) => sum + g.points, 0);
    const couponCost = grants.reduce((sum, g) => sum + (g.couponId ? (discounts.get(g.couponId) ?? g.faceFen) : 0), 0);

    return {
      from: range.from,
      to: range.to,
      cases: cases.length,
      byCategory: sortRows(byCategory),
      byStore: sortRows(byStore),
      responded: responded.length,
      medianFirstResponseMinutes: round1(median(firstResponse)),
      averageFirstResponseMinutes: round1(mean(firstResponse)),
      withinDeadlineShare: cases.length ? inTime / cases.length : null,
      resolved: resolved.length,
      medianResolutionMinutes: round1(median(resolution)),
      averageResolutionMinutes: round1(mean(resolution)),
      goodwillPoints,
      goodwillCoupons: couponIds.length,
      // 100 points = ¥1: each point is 1 fen.
      goodwillCostFen: goodwillPoints + couponCost,
      averageRating: round1(mean(ratings)),
    };
  }
}
