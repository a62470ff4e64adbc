import type { AppConfig } from '@member/config';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { ExportRegistry, type ExportScope } from '../data-transfer/export-registry';
import { MetricsDashboardService } from './metrics-dashboard.service';

const UNIT_SUFFIX: Record<string, string> = { fen: '（元）', permille: '（%）', count: '', points: '' };

/** Days a dashboard export covers when the console names no period: the same 30 days the page opens on. */
const DEFAULT_DAYS = 30;

/**
 * 数据看板 as a download: one row per day, one column per KPI, for the period and store the page shows
 * (GET /api/staff/exports/dashboard?format=csv|xlsx&from&to&storeCode). It reads through the dashboard service,
 * so the figures, the store rules and the store managers' limits are the page's own.
 */
@Injectable()
export class DashboardExport implements OnModuleInit {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly registry: ExportRegistry,
    private readonly dashboards: MetricsDashboardService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.registerReport({
      name: 'dashboard',
      title: '数据看板（按日）',
      roles: ['admin', 'store_manager'],
      // Money in yuan and rates in percent, as a spreadsheet reader expects; the unit is in the column's name.
      header: ['日期', ...this.dashboards.kpiColumns().map(({ label, unit }) => `${label}${UNIT_SUFFIX[unit]}`)],
      rows: async (_em, scope, staff) => {
        const range = this.daysOf(scope);
        const store = scope.stores && scope.stores.length === 1 ? scope.stores[0] : undefined;
        const dashboard = await this.dashboards.dashboard(staff, { ...range, store });
        const columns = this.dashboards.kpiColumns();
        const days = [...new Set(Object.values(dashboard.series).flatMap((points) => points.map((point) => point.day)))].sort();
        return days.map((day) => [
          day,
          ...columns.map(({ key, unit }) => {
            const value = dashboard.series[key]?.find((point) => point.day === day)?.value;
            return value === undefined ? null : unit === 'fen' ? value / 100 : unit === 'permille' ? value / 10 : value;
          }),
        ]);
      },
    });
  }

  /** The export's instants back as the business days the dashboard reads (the end is exclusive there). */
  private daysOf(scope: ExportScope): { from: string; to: string } {
    const zone = this.config.businessCalendar.timeZone;
    const to = scope.until ? DateTime.fromMillis(scope.until.getTime() - 1, { zone }) : DateTime.fromJSDate(this.clock.now(), { zone });
    const from = scope.from ? DateTime.fromJSDate(scope.from, { zone }) : to.minus({ days: DEFAULT_DAYS - 1 });
    return { from: from.toISODate()!, to: to.toISODate()! };
  }
}
