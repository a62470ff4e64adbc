import { Module } from '@nestjs/common';
import { MetricsDashboardService } from './metrics-dashboard.service';
import { MetricsSnapshotJob } from './metrics-snapshot.job';
import { MetricsSnapshotService } from './metrics-snapshot.service';
import { StaffMetricsController } from './metrics.controller';

/**
 * Metrics (数据看板, issue 18 part 1): the daily snapshot job, its backfill, and the dashboards that read only
 * the snapshots. Owns the metric_* tables and member_segment_month; reads every other module's tables, writes none.
 */
@Module({
  controllers: [StaffMetricsController],
  providers: [MetricsSnapshotService, MetricsSnapshotJob, MetricsDashboardService],
  exports: [MetricsSnapshotService],
})
export class MetricsModule {}
