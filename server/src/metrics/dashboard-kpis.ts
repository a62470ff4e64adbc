import type { DashboardKpi, DashboardResponse, MetricUnit } from '@member/shared';

/**
 * How the dashboard turns snapshot rows (metric_day: one value per day, store and metric) into KPI tiles and
 * trends. Pure, so the rule for each kind of figure is read in one place and tested without a database:
 * - `sum`: a flow (sales, new members, points issued): the range's value is the sum of its days.
 * - `last`: a stock (members, outstanding points, active members): the value on the range's last snapshotted day.
 * - `ratio`: num ÷ den per-mille; `of: 'sum'` sums both over the range first (points redemption, coupon
 *   redemption, reach), `of: 'last'` takes the last day's pair (active rate, repurchase rate over its window).
 */
export type KpiRule =
  | { kind: 'sum'; metric: string }
  | { kind: 'last'; metric: string; scale?: (value: number) => number }
  | { kind: 'ratio'; of: 'sum' | 'last'; num: string; den: string };

export interface KpiDefinition {
  key: string;
  label: string;
  unit: MetricUnit;
  rule: KpiRule;
  /** Whole chain only (the figure has no store), or also per store. */
  perStore: boolean;
  /** A target from config, per-mille for rates. */
  target?: number;
}

export interface KpiSettings {
  pointsPerYuan: number;
  targets: { pointsRedemptionPermille: number; messageReachPermille: number };
}

export function kpiDefinitions(settings: KpiSettings): KpiDefinition[] {
  // Outstanding points in fen: 100 / pointsPerYuan fen per point (¥1 = 100 fen).
  const liabilityFen = (points: number) => Math.floor((points * 100) / settings.pointsPerYuan);
  return [
    { key: 'member_sales', label: '会员销售额', unit: 'fen', rule: { kind: 'sum', metric: 'member_sales_fen' }, perStore: true },
    { key: 'member_purchases', label: '会员消费笔数', unit: 'count', rule: { kind: 'sum', metric: 'member_purchases' }, perStore: true },
    { key: 'members_new', label: '新增会员', unit: 'count', rule: { kind: 'sum', metric: 'members_new' }, perStore: false },
    { key: 'members_total', label: '会员总数', unit: 'count', rule: { kind: 'last', metric: 'members_total' }, perStore: false },
    { key: 'active_members', label: '活跃会员', unit: 'count', rule: { kind: 'last', metric: 'active_members' }, perStore: true },
    {
      key: 'active_rate',
      label: '活跃率',
      unit: 'permille',
      rule: { kind: 'ratio', of: 'last', num: 'active_members', den: 'members_total' },
      perStore: false,
    },
    {
      key: 'repurchase_rate',
      label: '复购率',
      unit: 'permille',
      rule: { kind: 'ratio', of: 'last', num: 'repeat_buyers_window', den: 'buyers_window' },
      perStore: true,
    },
    { key: 'points_issued', label: '积分发放', unit: 'points', rule: { kind: 'sum', metric: 'points_issued' }, perStore: false },
    { key: 'points_spent', label: '积分消耗', unit: 'points', rule: { kind: 'sum', metric: 'points_spent' }, perStore: false },
    { key: 'points_expired', label: '积分过期', unit: 'points', rule: { kind: 'sum', metric: 'points_expired' }, perStore: false },
    { key: 'points_clawed_back', label: '积分退回', unit: 'points', rule: { kind: 'sum', metric: 'points_clawed_back' }, perStore: false },
    {
      key: 'points_redemption_rate',
      label: '积分核销率',
      unit: 'permille',
      rule: { kind: 'ratio', of: 'sum', num: 'points_spent', den: 'points_issued' },
      perStore: false,
      target: settings.targets.pointsRedemptionPermille,
    },
    { key: 'points_outstanding', label: '积分余额', unit: 'points', rule: { kind: 'last', metric: 'points_outstanding' }, perStore: false },
    {
      key: 'points_liability',
      label: '积分负债',
      unit: 'fen',
      rule: { kind: 'last', metric: 'points_outstanding', scale: liabilityFen },
      perStore: false,
    },
    { key: 'coupons_issued', label: '发券数', unit: 'count', rule: { kind: 'sum', metric: 'coupons_issued' }, perStore: false },
    { key: 'coupons_redeemed', label: '核销券数', unit: 'count', rule: { kind: 'sum', metric: 'coupons_redeemed' }, perStore: true },
    { key: 'coupons_expired', label: '过期券数', unit: 'count', rule: { kind: 'sum', metric: 'coupons_expired' }, perStore: false },
    {
      key: 'coupon_redemption_rate',
      label: '券核销率（至今）',
      unit: 'permille',
      rule: { kind: 'ratio', of: 'sum', num: 'coupons_redeemed', den: 'coupons_issued' },
      perStore: false,
    },
    { key: 'coupon_discount', label: '券抵扣金额', unit: 'fen', rule: { kind: 'sum', metric: 'coupon_discount_fen' }, perStore: true },
    {
      key: 'message_reach_rate',
      label: '消息触达率',
      unit: 'permille',
      rule: { kind: 'ratio', of: 'sum', num: 'message_reachable', den: 'message_targeted' },
      perStore: false,
      target: settings.targets.messageReachPermille,
    },
    { key: 'messages_sent', label: '消息发送成功', unit: 'count', rule: { kind: 'sum', metric: 'messages_sent' }, perStore: false },
  ];
}

/** The metric_day names a set of KPIs reads. */
export function metricsRead(definitions: KpiDefinition[]): string[] {
  const names = new Set<string>();
  for (const { rule } of definitions) {
    if (rule.kind === 'ratio') {
      names.add(rule.num);
      names.add(rule.den);
    } else names.add(rule.metric);
  }
  return [...names].sort();
}

/** num ÷ den in per-mille, rounded half up; 0 when there is nothing to divide by. */
export function permille(num: number, den: number): number {
  return den > 0 ? Math.round((num * 1000) / den) : 0;
}

export interface MetricRow {
  day: string;
  metric: string;
  value: number;
}

/** The KPIs and trends of one store (or the chain) over a range, from its metric_day rows. */
export function buildDashboard(
  definitions: KpiDefinition[],
  rows: MetricRow[],
  range: { from: string; to: string; store: string | null; asOf: string | null },
): DashboardResponse {
  const byDay = new Map<string, Map<string, number>>();
  for (const row of rows) {
    let day = byDay.get(row.day);
    if (!day) byDay.set(row.day, (day = new Map()));
    day.set(row.metric, row.value);
  }
  const days = [...byDay.keys()].sort();
  const lastDay = days.length > 0 ? byDay.get(days[days.length - 1])! : new Map<string, number>();
  const total = (metric: string) => days.reduce((sum, day) => sum + (byDay.get(day)!.get(metric) ?? 0), 0);
  const dayValue = (rule: KpiRule, values: Map<string, number>): number => {
    if (rule.kind === 'ratio') return permille(values.get(rule.num) ?? 0, values.get(rule.den) ?? 0);
    const value = values.get(rule.metric) ?? 0;
    return rule.kind === 'last' && rule.scale ? rule.scale(value) : value;
  };
  const kpis: DashboardKpi[] = [];
  const series: DashboardResponse['series'] = {};
  for (const definition of definitions) {
    const { rule } = definition;
    const value =
      rule.kind === 'sum'
        ? total(rule.metric)
        : rule.kind === 'ratio' && rule.of === 'sum'
          ? permille(total(rule.num), total(rule.den))
          : dayValue(rule, lastDay);
    const kpi: DashboardKpi = { key: definition.key, label: definition.label, value, unit: definition.unit };
    // A rate over nothing is unknown, not 0 %: it neither misses nor meets its target.
    const denominator = rule.kind !== 'ratio' ? null : rule.of === 'sum' ? total(rule.den) : (lastDay.get(rule.den) ?? 0);
    if (denominator === 0) kpi.noData = true;
    if (definition.target !== undefined) {
      kpi.target = definition.target;
      if (!kpi.noData) kpi.met = value >= definition.target;
    }
    kpis.push(kpi);
    series[definition.key] = days.map((day) => ({ day, value: dayValue(rule, byDay.get(day)!) }));
  }
  return { from: range.from, to: range.to, store: range.store, asOf: range.asOf, kpis, series };
}

/** A campaign run's lift per member and ROI per product.md; null where there is no holdout or no cost. */
export function campaignRoi(run: {
  treated: number;
  holdout: number;
  treatedRevenueFen: number;
  holdoutRevenueFen: number;
  discountFen: number;
  pointsCostFen: number;
}): { liftPerMemberFen: number | null; roiPermille: number | null } {
  if (run.treated === 0 || run.holdout === 0) return { liftPerMemberFen: null, roiPermille: null };
  const liftPerMemberFen = Math.round(run.treatedRevenueFen / run.treated - run.holdoutRevenueFen / run.holdout);
  const cost = run.discountFen + run.pointsCostFen;
  if (cost === 0) return { liftPerMemberFen, roiPermille: null };
  // lift × treated = treated revenue − holdout revenue scaled to the treated group's size.
  const incremental = run.treatedRevenueFen - (run.holdoutRevenueFen * run.treated) / run.holdout;
  return { liftPerMemberFen, roiPermille: Math.round(((incremental - cost) * 1000) / cost) };
}
