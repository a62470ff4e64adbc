import type { CampaignListResponse, CampaignRunDaily, CampaignView, CreateCampaignRequest, UpdateCampaignRequest } from '@member/shared';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { CurrentSession, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { CampaignDailyReport } from './campaign-daily';
import { campaignIdParam, createCampaignBody, dailyQuery, updateCampaignBody } from './campaigns.dto';
import { CampaignsService } from './campaigns.service';

/** Marketing (admins): campaigns and their run reports. */
@Controller('admin/campaigns')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly daily: CampaignDailyReport,
  ) {}

  @Get()
  list(): Promise<CampaignListResponse> {
    return this.campaigns.list();
  }

  @Post()
  create(
    @CurrentSession() session: SessionClaims,
    @Body(new ZodPipe(createCampaignBody)) body: CreateCampaignRequest,
  ): Promise<CampaignView> {
    return this.campaigns.create(body, session.openid);
  }

  @Get(':id')
  get(@Param('id', new ZodPipe(campaignIdParam)) id: number): Promise<CampaignView> {
    return this.campaigns.get(id);
  }

  /** A run's revenue per business day, treated against held out (the console's chart over time). */
  @Get(':id/runs/:runId/daily')
  runDaily(
    @Param('id', new ZodPipe(campaignIdParam)) id: number,
    @Param('runId', new ZodPipe(campaignIdParam)) runId: number,
    @Query(new ZodPipe(dailyQuery)) query: { days: number },
  ): Promise<CampaignRunDaily> {
    return this.daily.daily(id, runId, query.days);
  }

  /** Drafts only (CAMPAIGN_NOT_DRAFT). */
  @Put(':id')
  update(
    @Param('id', new ZodPipe(campaignIdParam)) id: number,
    @Body(new ZodPipe(updateCampaignBody)) body: UpdateCampaignRequest,
  ): Promise<CampaignView> {
    return this.campaigns.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', new ZodPipe(campaignIdParam)) id: number): Promise<void> {
    return this.campaigns.remove(id);
  }

  @Post(':id/launch')
  @HttpCode(200)
  launch(@Param('id', new ZodPipe(campaignIdParam)) id: number): Promise<CampaignView> {
    return this.campaigns.launch(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@Param('id', new ZodPipe(campaignIdParam)) id: number): Promise<CampaignView> {
    return this.campaigns.setPaused(id, true);
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id', new ZodPipe(campaignIdParam)) id: number): Promise<CampaignView> {
    return this.campaigns.setPaused(id, false);
  }
}
