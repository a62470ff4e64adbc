/**
 * The dashboards' contract (issue 18): what GET /api/staff/metrics/... answer. The console and the staff
 * mini-program's compact dashboard both read these shapes; keep them stable. Every figure is defined in
 * server/src/metrics/README.md.
 */

/** How a KPI's value reads: a count, money in fen, a rate in per-mille, or points. */
export type MetricUnit = 'count' | 'fen' | 'permille' | 'points';
export const METRIC_UNITS: readonly MetricUnit[] = ['count', 'fen', 'permille', 'points'];

export interface DashboardKpi {
  key: string;
  /** zh-CN, as a tile shows it. */
  label: string;
  value: number;
  unit: MetricUnit;
  /** The playbook's target, in the same unit (rates: per-mille), when it has one. */
  target?: number;
  /** Whether `value` reaches `target`; only with a target, and never when `noData`. */
  met?: boolean;
  /** A rate with nothing to divide by in the range (no points issued, no one targeted): shown as —, not as 0 %. */
  noData?: true;
}

/** GET /api/staff/metrics/dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD&store=S001 */
export interface DashboardResponse {
  from: string;
  to: string;
  /** The store asked for, or null: the whole chain. */
  store: string | null;
  /** When the newest snapshot read was computed (ISO), or null when the range has none yet. */
  asOf: string | null;
  kpis: DashboardKpi[];
  /** Per KPI key, one point per business day of the range that has a snapshot. */
  series: Record<string, Array<{ day: string; value: number }>>;
}

/** GET /api/staff/metrics/coupons: issued / redeemed / expired per template or per campaign over the range. */
export interface CouponMetricsRow {
  refId: number;
  name: string;
  issued: number;
  redeemed: number;
  expired: number;
  discountFen: number;
  /** redeemed ÷ issued over the range, per-mille (coupons still valid count as not redeemed: "to date"). */
  redemptionPermille: number;
}
export interface CouponMetricsResponse {
  from: string;
  to: string;
  byTemplate: CouponMetricsRow[];
  byCampaign: CouponMetricsRow[];
}

/** GET /api/staff/metrics/messages: message outcomes by kind and WeChat errcode, and the reach rate. */
export interface MessageMetricsResponse {
  from: string;
  to: string;
  targeted: number;
  reachable: number;
  reachPermille: number;
  targetPermille: number;
  /** One row per kind and outcome: queued, sent, failed:<errcode>, skipped:<reason>. */
  rows: Array<{ kind: string; outcome: string; messages: number }>;
}

/** GET /api/staff/metrics/campaigns: each campaign run's lift and ROI as of the range's last snapshot. */
export interface CampaignRoiRow {
  runId: number;
  campaignId: number;
  name: string;
  day: string;
  treated: number;
  holdout: number;
  treatedRevenueFen: number;
  holdoutRevenueFen: number;
  /** Revenue per treated member − revenue per holdout member, in fen (null without a holdout). */
  liftPerMemberFen: number | null;
  discountFen: number;
  pointsCostFen: number;
  /** (lift × treated − cost) ÷ cost, per-mille; null without a holdout or without a cost. */
  roiPermille: number | null;
}
export interface CampaignMetricsResponse {
  from: string;
  to: string;
  runs: CampaignRoiRow[];
}

/** GET /api/staff/metrics/segments?month=YYYY-MM: members by last month's segment → this month's. */
export interface SegmentMigrationResponse {
  month: string;
  previous: string;
  /** `from` is 'none' for members without a segment the month before (new to the snapshot). */
  cells: Array<{ from: string; to: string; members: number }>;
}

/** GET /api/staff/metrics/cohorts: retention by join month (cohort), month k after joining. */
export interface CohortRow {
  cohort: string;
  members: number;
  /** Index k = months after the join month (0: the join month itself); per-mille of the cohort with a purchase. */
  retainedPermille: Array<number | null>;
}
export interface CohortResponse {
  from: string;
  to: string;
  cohorts: CohortRow[];
}

/** POST /api/staff/metrics/backfill (admin) */
export interface MetricsBackfillRequest {
  from: string;
  to: string;
}
export interface MetricsBackfillResponse {
  days: number;
  tookMs: number;
  /** The slowest day's slowest statements (their first words and time): what to look at when a day is slow. */
  slowest: Array<{ statement: string; ms: number }>;
}

/** GET /api/staff/metrics/stores: the stores the caller may pick on the dashboard. */
export interface MetricsStoresResponse {
  stores: Array<{ code: string; name: string }>;
}

/** GET /api/staff/metrics/members: joined members by tier and by lifecycle on the range's last snapshotted day. */
export interface MetricsMembersResponse {
  day: string | null;
  byTier: Array<{ key: string; members: number }>;
  byLifecycle: Array<{ key: string; members: number }>;
}
