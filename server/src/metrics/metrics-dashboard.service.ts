import type { AppConfig } from '@member/config';
import type {
  CampaignMetricsResponse,
  CohortResponse,
  CouponMetricsResponse,
  CouponMetricsRow,
  DashboardResponse,
  MessageMetricsResponse,
  MetricsMembersResponse,
  SegmentMigrationResponse,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { InjectConfig } from '../common/app-config';
import { DomainError } from '../common/domain-error';
import { sqlDateValue } from '../database/dialect';
import { buildDashboard, campaignRoi, kpiDefinitions, metricsRead, permille, type KpiDefinition } from './dashboard-kpis';
import { dayCount, previousMonth } from './metrics-snapshot.service';

type Num = number | string;
const n = (value: Num | null | undefined) => Number(value ?? 0);

/**
 * What the dashboards read: only the snapshot tables (never members, sales or ledgers), by primary-key ranges,
 * so a page costs the same with a thousand members or ten million. Store managers see their stores' figures;
 * HQ admins the chain or any store.
 */
@Injectable()
export class MetricsDashboardService {
  private readonly definitions: KpiDefinition[];

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {
    this.definitions = kpiDefinitions(config.metrics);
  }

  /** The KPIs the dashboard shows, in its order (the export's columns). */
  kpiColumns(): Array<{ key: string; label: string; unit: KpiDefinition['unit'] }> {
    return this.definitions.map(({ key, label, unit }) => ({ key, label, unit }));
  }

  async dashboard(staff: StaffAccount, query: { from: string; to: string; store?: string }): Promise<DashboardResponse> {
    this.checkRange(query);
    const store = this.storeFor(staff, query.store);
    const definitions = store === null ? this.definitions : this.definitions.filter((d) => d.perStore);
    const metrics = metricsRead(definitions);
    const rows: Array<{ day: string; metric: string; value: Num }> = await this.dataSource.query(
      `SELECT day, metric, value FROM metric_day WHERE store_code = ? AND day >= ? AND day <= ?
        AND metric IN (${metrics.map(() => '?').join(', ')})`,
      [store ?? '', query.from, query.to, ...metrics],
    );
    const [latest]: Array<{ at: Date | string | null }> = await this.dataSource.query(
      'SELECT MAX(computed_at) AS at FROM metric_snapshot WHERE day >= ? AND day <= ?',
      [query.from, query.to],
    );
    const asOf = latest?.at ? sqlDateValue(latest.at).toISOString() : null;
    return buildDashboard(
      definitions,
      rows.map((row) => ({ day: row.day, metric: row.metric, value: n(row.value) })),
      { from: query.from, to: query.to, store, asOf },
    );
  }

  /** Members by tier and by lifecycle on the range's last snapshotted day (chain). */
  async members(staff: StaffAccount, query: { from: string; to: string }): Promise<MetricsMembersResponse> {
    this.checkRange(query);
    this.chainOnly(staff);
    const rows: Array<{ day: string; metric: string; value: Num }> = await this.dataSource.query(
      `SELECT day, metric, value FROM metric_day WHERE store_code = '' AND day = (SELECT MAX(day) FROM metric_snapshot
        WHERE day >= ? AND day <= ?)
         AND (metric LIKE 'members_tier_%' OR metric LIKE 'members_lifecycle_%')`,
      [query.from, query.to],
    );
    const pick = (prefix: string) =>
      rows.filter((r) => r.metric.startsWith(prefix)).map((r) => ({ key: r.metric.slice(prefix.length), members: n(r.value) }));
    return { day: rows[0]?.day ?? null, byTier: pick('members_tier_'), byLifecycle: pick('members_lifecycle_') };
  }

  async coupons(staff: StaffAccount, query: { from: string; to: string }): Promise<CouponMetricsResponse> {
    this.checkRange(query);
    this.chainOnly(staff);
    const rows: Array<{ dimension: string; refId: Num; issued: Num; redeemed: Num; expired: Num; discount: Num; name: string | null }> =
      await this.dataSource.query(
        `SELECT s.dimension, s.ref_id AS refId, s.issued, s.redeemed, s.expired, s.discount, COALESCE(t.name, c.name) AS name
           FROM (SELECT dimension, ref_id, SUM(issued) AS issued, SUM(redeemed) AS redeemed,
                        SUM(expired) AS expired, SUM(discount_fen) AS discount
                   FROM metric_coupon_day WHERE day >= ? AND day <= ? GROUP BY dimension, ref_id) s
           LEFT JOIN coupon_template t ON s.dimension = 'template' AND t.id = s.ref_id
           LEFT JOIN campaign c ON s.dimension = 'campaign' AND c.id = s.ref_id
          ORDER BY s.issued DESC, s.ref_id`,
        [query.from, query.to],
      );
    const view = (row: (typeof rows)[number]): CouponMetricsRow => ({
      refId: n(row.refId),
      name: row.name ?? `#${row.refId}`,
      issued: n(row.issued),
      redeemed: n(row.redeemed),
      expired: n(row.expired),
      discountFen: n(row.discount),
      redemptionPermille: permille(n(row.redeemed), n(row.issued)),
    });
    return {
      from: query.from,
      to: query.to,
      byTemplate: rows.filter((r) => r.dimension === 'template').map(view),
      byCampaign: rows.filter((r) => r.dimension === 'campaign').map(view),
    };
  }

  async messages(staff: StaffAccount, query: { from: string; to: string }): Promise<MessageMetricsResponse> {
    this.checkRange(query);
    this.chainOnly(staff);
    const rows: Array<{ kind: string; outcome: string; messages: Num }> = await this.dataSource.query(
      `SELECT kind, outcome, SUM(messages) AS messages FROM metric_message_day WHERE day >= ? AND day <= ?
        GROUP BY kind, outcome ORDER BY kind, outcome`,
      [query.from, query.to],
    );
    const reach: Array<{ metric: string; value: Num }> = await this.dataSource.query(
      `SELECT metric, SUM(value) AS value FROM metric_day WHERE store_code = '' AND day >= ? AND day <= ?
          AND metric IN ('message_targeted', 'message_reachable') GROUP BY metric`,
      [query.from, query.to],
    );
    const targeted = n(reach.find((r) => r.metric === 'message_targeted')?.value);
    const reachable = n(reach.find((r) => r.metric === 'message_reachable')?.value);
    return {
      from: query.from,
      to: query.to,
      targeted,
      reachable,
      reachPermille: permille(reachable, targeted),
      targetPermille: this.config.metrics.targets.messageReachPermille,
      rows: rows.map((r) => ({ kind: r.kind, outcome: r.outcome, messages: n(r.messages) })),
    };
  }

  /** Each run's newest snapshot within the range. */
  async campaigns(staff: StaffAccount, query: { from: string; to: string }): Promise<CampaignMetricsResponse> {
    this.checkRange(query);
    this.chainOnly(staff);
    const rows: Array<Record<string, Num | string | null>> = await this.dataSource.query(
      `SELECT s.day, s.run_id AS runId, s.campaign_id AS campaignId, c.name, s.treated, s.holdout,
              s.treated_revenue_fen AS treatedRevenueFen, s.holdout_revenue_fen AS holdoutRevenueFen,
              s.discount_fen AS discountFen, s.points_cost_fen AS pointsCostFen
         FROM metric_campaign_day s
         JOIN (SELECT run_id, MAX(day) AS day FROM metric_campaign_day WHERE day >= ? AND day <= ? GROUP BY run_id) l
           ON l.run_id = s.run_id AND l.day = s.day
         LEFT JOIN campaign c ON c.id = s.campaign_id
        ORDER BY s.run_id DESC`,
      [query.from, query.to],
    );
    return {
      from: query.from,
      to: query.to,
      runs: rows.map((row) => {
        const figures = {
          treated: n(row.treated),
          holdout: n(row.holdout),
          treatedRevenueFen: n(row.treatedRevenueFen),
          holdoutRevenueFen: n(row.holdoutRevenueFen),
          discountFen: n(row.discountFen),
          pointsCostFen: n(row.pointsCostFen),
        };
        return {
          runId: n(row.runId),
          campaignId: n(row.campaignId),
          name: String(row.name ?? `#${row.campaignId}`),
          day: String(row.day),
          ...figures,
          ...campaignRoi(figures),
        };
      }),
    };
  }

  async segments(staff: StaffAccount, query: { month: string }): Promise<SegmentMigrationResponse> {
    this.chainOnly(staff);
    const rows: Array<{ fromSegment: string; toSegment: string; members: Num }> = await this.dataSource.query(
      `SELECT from_segment AS fromSegment, to_segment AS toSegment, members FROM metric_segment_migration WHERE month = ?
        ORDER BY from_segment, to_segment`,
      [query.month],
    );
    return {
      month: query.month,
      previous: previousMonth(query.month),
      cells: rows.map((r) => ({ from: r.fromSegment, to: r.toSegment, members: n(r.members) })),
    };
  }

  /** Cohorts that joined from `from`'s month to `to`'s, with their retention in every month since. */
  async cohorts(staff: StaffAccount, query: { from: string; to: string }): Promise<CohortResponse> {
    this.checkRange(query);
    this.chainOnly(staff);
    const rows: Array<{ cohort: string; month: string; members: Num; retained: Num }> = await this.dataSource.query(
      'SELECT cohort, month, members, retained FROM metric_cohort WHERE cohort >= ? AND cohort <= ? ORDER BY cohort, month',
      [query.from.slice(0, 7), query.to.slice(0, 7)],
    );
    const byCohort = new Map<string, { members: number; retained: Map<number, number> }>();
    for (const row of rows) {
      let entry = byCohort.get(row.cohort);
      if (!entry) byCohort.set(row.cohort, (entry = { members: 0, retained: new Map() }));
      // The size as of the newest month snapshotted (members who deleted their account leave the cohort).
      entry.members = n(row.members);
      entry.retained.set(monthsBetween(row.cohort, row.month), permille(n(row.retained), n(row.members)));
    }
    return {
      from: query.from,
      to: query.to,
      cohorts: [...byCohort.entries()].map(([cohort, entry]) => {
        const span = Math.max(-1, ...entry.retained.keys()) + 1;
        return { cohort, members: entry.members, retainedPermille: Array.from({ length: span }, (_, k) => entry.retained.get(k) ?? null) };
      }),
    };
  }

  private checkRange(query: { from: string; to: string }): void {
    if (query.from > query.to) throw new DomainError('METRICS_RANGE_INVALID');
    if (dayCount(query.from, query.to) > this.config.metrics.maxRangeDays) throw new DomainError('METRICS_RANGE_TOO_LONG');
  }

  /**
   * The store whose figures a staff member may read: admins any store or the chain (null); a store manager one
   * of theirs (their only store when they name none); clerks never reach here (the controller's roles).
   */
  private storeFor(staff: StaffAccount, store: string | undefined): string | null {
    if (staff.role === 'admin') return store ?? null;
    if (store !== undefined) {
      if (!staff.stores.includes(store)) throw new DomainError('STORE_NOT_YOURS');
      return store;
    }
    if (staff.stores.length === 1) return staff.stores[0];
    throw new DomainError('STORE_REQUIRED');
  }

  /** Reports with no store (coupons by template, messages, campaigns, segments, cohorts) are HQ's. */
  private chainOnly(staff: StaffAccount): void {
    if (staff.role !== 'admin') throw new DomainError('FORBIDDEN');
  }
}

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
}
