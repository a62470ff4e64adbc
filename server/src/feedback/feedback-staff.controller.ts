import type {
  AdminMemberLookup,
  FeedbackCaseView,
  FeedbackListResponse,
  FeedbackMessageRequest,
  FeedbackReport,
  GoodwillOptions,
  PointsAdjustmentRequest,
  PointsAdjustmentView,
  ResolveFeedbackRequest,
  StaffCreateFeedbackRequest,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { Audited } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import {
  adjustmentBody,
  caseIdParam,
  lookupQuery,
  messageBody,
  queueQuery,
  reportQuery,
  resolveBody,
  staffCreateFeedbackBody,
} from './feedback.dto';
import { FeedbackReportService } from './feedback-report.service';
import { FeedbackStaffService } from './feedback-staff.service';
import { PointsAdjustmentsService } from './points-adjustments.service';

type Json = Record<string, unknown> | undefined;
const caseFacts = ({ result, params }: { result?: Json; params?: Json }) => {
  const goodwill = result?.goodwill as { points?: number; faceFen?: number } | null | undefined;
  return {
    target: (params?.id as number | undefined) ?? (result?.id as number | undefined) ?? null,
    memberId: (result?.memberId as number | undefined) ?? null,
    storeCode: (result?.storeCode as string | null | undefined) ?? null,
    points: goodwill?.points || null,
    amountFen: goodwill?.faceFen || null,
  };
};

/** 投诉与反馈 for staff: the queue of their stores (HQ: all), replies, resolution with goodwill, till cases. */
@Controller('staff/feedback')
@UseGuards(StaffGuard)
export class StaffFeedbackController {
  constructor(
    private readonly feedback: FeedbackStaffService,
    private readonly reports: FeedbackReportService,
  ) {}

  @Get()
  queue(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(queueQuery)) query: { storeCode?: string; include?: 'open' | 'all' },
  ): Promise<FeedbackListResponse> {
    return this.feedback.queue(staff, query);
  }

  @Get('goodwill-options')
  goodwillOptions(@CurrentStaff() staff: StaffAccount): Promise<GoodwillOptions> {
    return this.feedback.goodwillOptions(staff);
  }

  /** Managers and HQ; a store manager's figures cover their stores. */
  @Get('report')
  @StaffRoles('store_manager', 'admin')
  report(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(reportQuery)) query: { from: string; to: string },
  ): Promise<FeedbackReport> {
    return this.reports.report(staff, query);
  }

  @Post()
  @HttpCode(200)
  @Audited('feedback.create', caseFacts)
  create(
    @CurrentStaff() staff: StaffAccount,
    @Body(new ZodPipe(staffCreateFeedbackBody)) body: StaffCreateFeedbackRequest,
  ): Promise<FeedbackCaseView> {
    return this.feedback.createAtTill(staff, body);
  }

  @Get(':id')
  @Audited('feedback.view', caseFacts)
  get(@CurrentStaff() staff: StaffAccount, @Param('id', new ZodPipe(caseIdParam)) id: number): Promise<FeedbackCaseView> {
    return this.feedback.get(staff, id);
  }

  @Post(':id/replies')
  @HttpCode(200)
  @Audited('feedback.reply', caseFacts)
  reply(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(caseIdParam)) id: number,
    @Body(new ZodPipe(messageBody)) body: FeedbackMessageRequest,
  ): Promise<FeedbackCaseView> {
    return this.feedback.reply(staff, id, body.body, body.idempotencyKey);
  }

  /** Resolution, with goodwill within this role's limit (GOODWILL_OVER_LIMIT); the audit carries points and face value. */
  @Post(':id/resolve')
  @HttpCode(200)
  @Audited('feedback.resolve', caseFacts)
  resolve(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(caseIdParam)) id: number,
    @Body(new ZodPipe(resolveBody)) body: ResolveFeedbackRequest,
  ): Promise<FeedbackCaseView> {
    return this.feedback.resolve(staff, id, body);
  }
}

/** HQ admins adjust a member's points by hand (reason, limit, audited, idempotent). */
@Controller('admin')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class AdminPointsController {
  constructor(private readonly adjustments: PointsAdjustmentsService) {}

  @Get('members/lookup')
  @Audited('member.lookup', ({ result }) => ({ memberId: (result?.id as number | undefined) ?? null, target: null }))
  lookup(@Query(new ZodPipe(lookupQuery)) query: { id?: number; phone?: string }): Promise<AdminMemberLookup> {
    return this.adjustments.lookup(query);
  }

  @Post('points-adjustments')
  @HttpCode(200)
  @Audited('points.adjust', ({ body, result }) => ({
    memberId: (body?.memberId as number | undefined) ?? null,
    points: (body?.points as number | undefined) ?? null,
    target: (result?.id as number | undefined) ?? null,
  }))
  adjust(
    @CurrentStaff() staff: StaffAccount,
    @Body(new ZodPipe(adjustmentBody)) body: PointsAdjustmentRequest,
  ): Promise<PointsAdjustmentView> {
    return this.adjustments.adjust(staff, body);
  }
}
