import type {
  CampaignMetricsResponse,
  CohortResponse,
  CouponMetricsResponse,
  DashboardResponse,
  MessageMetricsResponse,
  MetricsBackfillRequest,
  MetricsBackfillResponse,
  MetricsMembersResponse,
  MetricsStoresResponse,
  SegmentMigrationResponse,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { ZodPipe } from '../common/zod.pipe';
import { backfillBody, dashboardQuery, monthQuery, rangeQuery } from './metrics.dto';
import { MetricsDashboardService } from './metrics-dashboard.service';
import { MetricsSnapshotService } from './metrics-snapshot.service';

type Range = { from: string; to: string };

/** 数据看板: read from the daily snapshots. Store managers see their stores; HQ admins the chain and every report. */
@Controller('staff/metrics')
@UseGuards(StaffGuard)
@StaffRoles('store_manager', 'admin')
export class StaffMetricsController {
  constructor(
    private readonly dashboards: MetricsDashboardService,
    private readonly snapshots: MetricsSnapshotService,
    private readonly stores: StoresService,
  ) {}

  /** The stores the caller may pick on the dashboard: every open store for HQ, their own for a manager. */
  @Get('stores')
  async storeOptions(@CurrentStaff() staff: StaffAccount): Promise<MetricsStoresResponse> {
    const open = await this.stores.active();
    return {
      stores: open
        .filter((store) => staff.role === 'admin' || staff.stores.includes(store.code))
        .map((store) => ({ code: store.code, name: store.name })),
    };
  }

  @Get('dashboard')
  dashboard(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(dashboardQuery)) query: Range & { store?: string },
  ): Promise<DashboardResponse> {
    return this.dashboards.dashboard(staff, query);
  }

  @Get('members')
  members(@CurrentStaff() staff: StaffAccount, @Query(new ZodPipe(rangeQuery)) query: Range): Promise<MetricsMembersResponse> {
    return this.dashboards.members(staff, query);
  }

  @Get('coupons')
  coupons(@CurrentStaff() staff: StaffAccount, @Query(new ZodPipe(rangeQuery)) query: Range): Promise<CouponMetricsResponse> {
    return this.dashboards.coupons(staff, query);
  }

  @Get('messages')
  messages(@CurrentStaff() staff: StaffAccount, @Query(new ZodPipe(rangeQuery)) query: Range): Promise<MessageMetricsResponse> {
    return this.dashboards.messages(staff, query);
  }

  @Get('campaigns')
  campaigns(@CurrentStaff() staff: StaffAccount, @Query(new ZodPipe(rangeQuery)) query: Range): Promise<CampaignMetricsResponse> {
    return this.dashboards.campaigns(staff, query);
  }

  @Get('segments')
  segments(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(monthQuery)) query: { month: string },
  ): Promise<SegmentMigrationResponse> {
    return this.dashboards.segments(staff, query);
  }

  @Get('cohorts')
  cohorts(@CurrentStaff() staff: StaffAccount, @Query(new ZodPipe(rangeQuery)) query: Range): Promise<CohortResponse> {
    return this.dashboards.cohorts(staff, query);
  }

  /** Rewrites the snapshots of past days (after a data fix, or the first time); audited as every staff write. */
  @Post('backfill')
  @HttpCode(200)
  @StaffRoles('admin')
  backfill(@Body(new ZodPipe(backfillBody)) body: MetricsBackfillRequest): Promise<MetricsBackfillResponse> {
    return this.snapshots.backfill(body.from, body.to);
  }
}
