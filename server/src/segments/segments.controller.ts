import type { AudiencePreviewRequest, AudiencePreviewResponse, SegmentsOverviewResponse, SegmentsRefreshResponse } from '@member/shared';
import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { StaffGuard, StaffRoles } from '../auth/auth.guards';
import { ZodPipe } from '../common/zod.pipe';
import { AudienceService } from './audience.service';
import { RfmRefreshJob } from './rfm-refresh.job';
import { audiencePreviewBody } from './segments.dto';

/** Marketing staff (admin role): how big an audience is, and how many of it a message could reach. */
@Controller('admin/audiences')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class AdminAudiencesController {
  constructor(private readonly audiences: AudienceService) {}

  @Post('preview')
  @HttpCode(200)
  preview(@Body(new ZodPipe(audiencePreviewBody)) body: AudiencePreviewRequest): Promise<AudiencePreviewResponse> {
    return this.audiences.preview(body);
  }
}

/** Marketing staff (admin role): the RFM segments: the last refresh, and a refresh now. */
@Controller('admin/segments')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class AdminSegmentsController {
  constructor(private readonly refreshJob: RfmRefreshJob) {}

  @Get()
  async overview(): Promise<SegmentsOverviewResponse> {
    return { lastRefresh: await this.refreshJob.lastRefresh() };
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(): Promise<SegmentsRefreshResponse> {
    return this.refreshJob.refresh();
  }
}
