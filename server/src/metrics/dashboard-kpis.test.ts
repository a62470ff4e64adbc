import { buildDashboard, kpiDefinitions, permille } from './dashboard-kpis';

const definitions = kpiDefinitions({ pointsPerYuan: 100, targets: { pointsRedemptionPermille: 300, messageReachPermille: 800 } });
const range = { from: '2026-12-01', to: '2026-12-02', store: null, asOf: '2026-12-02T10:00:00.000Z' };
const kpi = (rows: Array<[string, string, number]>, key: string) =>
  buildDashboard(
    definitions,
    rows.map(([day, metric, value]) => ({ day, metric, value })),
    range,
  ).kpis.find((k) => k.key === key)!;

describe('dashboard KPIs from snapshot rows', () => {
  it('sums flows over the range and takes stocks on its last day', () => {
    const rows: Array<[string, string, number]> = [
      ['2026-12-01', 'member_sales_fen', 1000],
      ['2026-12-02', 'member_sales_fen', 2500],
      ['2026-12-01', 'members_total', 40],
      ['2026-12-02', 'members_total', 42],
    ];
    expect(kpi(rows, 'member_sales').value).toBe(3500);
    expect(kpi(rows, 'members_total').value).toBe(42);
  });

  it('judges a rate against its target from the summed parts, not from the days’ rates', () => {
    const rows: Array<[string, string, number]> = [
      ['2026-12-01', 'points_issued', 900],
      ['2026-12-01', 'points_spent', 0],
      ['2026-12-02', 'points_issued', 100],
      ['2026-12-02', 'points_spent', 310],
    ];
    expect(kpi(rows, 'points_redemption_rate')).toMatchObject({ value: 310, target: 300, met: true });
    expect(kpi(rows, 'points_redemption_rate').noData).toBeUndefined();
  });

  it('a rate with nothing to divide by is no data: neither 0 % missed nor met', () => {
    const rows: Array<[string, string, number]> = [['2026-12-01', 'points_spent', 50]];
    const rate = kpi(rows, 'points_redemption_rate');
    expect(rate).toMatchObject({ noData: true, target: 300 });
    expect(rate.met).toBeUndefined();
    expect(kpi([], 'message_reach_rate').noData).toBe(true);
  });

  it('rounds per-mille half up', () => {
    expect(permille(1, 3)).toBe(333);
    expect(permille(2, 3)).toBe(667);
    expect(permille(5, 0)).toBe(0);
  });
});
