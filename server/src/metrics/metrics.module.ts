import { Module } from '@nestjs/common';
import { DataTransferModule } from '../data-transfer/data-transfer.module';
import { DashboardExport } from './dashboard-export';
import { MetricsDashboardService } from './metrics-dashboard.service';
import { MetricsSnapshotJob } from './metrics-snapshot.job';
import { MetricsSnapshotService } from './metrics-snapshot.service';
import { StaffMetricsController } from './metrics.controller';

/**
 * Metrics (数据看板, issue 18 part 1): the daily snapshot job, its backfill, and the dashboards that read only
 * the snapshots. Owns the metric_* tables and member_segment_month; reads every other module's tables, writes none.
 */
@Module({
  imports: [DataTransferModule],
  controllers: [StaffMetricsController],
  providers: [MetricsSnapshotService, MetricsSnapshotJob, MetricsDashboardService, DashboardExport],
  exports: [MetricsSnapshotService],
})
export class MetricsModule {}
