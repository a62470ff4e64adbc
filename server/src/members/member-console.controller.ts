import type {
  AuditLogPage,
  ConsolePointsAdjustmentRequest,
  FeedbackListResponse,
  GiveCouponRequest,
  GiveCouponView,
  GoodwillOptions,
  MemberConsoleProfile,
  MemberMessagesResponse,
  MemberOrderListResponse,
  MemberPhoneReveal,
  MemberSearchMode,
  MemberSearchResponse,
  MessageKind,
  PointsAdjustmentView,
  PointsResponse,
  ConsoleWalletResponse,
  WalletTab,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { Audited, type AuditInput } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import {
  beforeQuery,
  consoleAdjustmentBody,
  consoleMemberId,
  couponsQuery,
  giveCouponBody,
  memberSearchQuery,
  messagesQuery,
  purchasesQuery,
} from './member-console.dto';
import { MemberConsoleService } from './member-console.service';
import { MemberSearchService } from './member-search.service';

/** The member in the path (params are still strings when the audit reads them). */
const onMember = ({ params }: AuditInput) => ({ memberId: Number(params?.id) || null, target: null });

/**
 * The console's member pages (会员查询, 会员详情) for HQ admins and store managers; clerks are refused here
 * (403) and keep reading members only by the member code at the till. Every look-up and view of a member is
 * audited (member.search names the mode, never the term: it may be a phone number), and so is every action.
 */
@Controller('staff/console/members')
@UseGuards(StaffGuard)
// No @StaffRoles: the services refuse a clerk (FORBIDDEN) on every route, after the guard, so the audit
// interceptor records the refused attempt too (a guard's refusal happens before any interceptor runs).
export class MemberConsoleController {
  constructor(
    private readonly search: MemberSearchService,
    private readonly members: MemberConsoleService,
  ) {}

  @Get()
  @Audited('member.search', ({ query, result }: AuditInput) => ({
    target: (result?.mode as string | undefined) ?? (query?.mode as string | undefined) ?? null,
    memberId: null,
  }))
  find(
    @CurrentStaff() staff: StaffAccount,
    @Query(new ZodPipe(memberSearchQuery)) query: { q: string; mode?: MemberSearchMode; match?: 'prefix' | 'contains'; cursor?: string },
  ): Promise<MemberSearchResponse> {
    return this.search.search(staff, query);
  }

  @Get(':id')
  @Audited('member.console_view', onMember)
  profile(@CurrentStaff() staff: StaffAccount, @Param('id', new ZodPipe(consoleMemberId)) id: number): Promise<MemberConsoleProfile> {
    return this.members.profile(staff, id);
  }

  @Get(':id/purchases')
  purchases(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(consoleMemberId)) id: number,
    @Query(new ZodPipe(purchasesQuery)) query: { cursor?: string },
  ): Promise<MemberOrderListResponse> {
    return this.members.purchases(staff, id, query.cursor);
  }

  @Get(':id/points')
  points(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(consoleMemberId)) id: number,
    @Query(new ZodPipe(beforeQuery)) query: { before?: number },
  ): Promise<PointsResponse> {
    return this.members.pointsHistory(staff, id, query.before ?? null);
  }

  @Get(':id/coupons')
  coupons(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(consoleMemberId)) id: number,
    @Query(new ZodPipe(couponsQuery)) query: { tab: WalletTab },
  ): Promise<ConsoleWalletResponse> {
    return this.members.coupons(staff, id, query.tab);
  }

  @Get(':id/messages')
  messages(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(consoleMemberId)) id: number,
    @Query(new ZodPipe(messagesQuery)) query: { kind?: MessageKind; before?: number },
  ): Promise<MemberMessagesResponse> {
    return this.members.messages(staff, id, query);
  }

  @Get(':id/feedback')
  complaints(@CurrentStaff() staff: StaffAccount, @Param('id', new ZodPipe(consoleMemberId)) id: number): Promise<FeedbackListResponse> {
    return this.members.complaints(staff, id);
  }

  @Get(':id/audit')
  auditTrail(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(consoleMemberId)) id: number,
    @Query(new ZodPipe(beforeQuery)) query: { before?: number },
  ): Promise<AuditLogPage> {
    return this.members.auditTrail(staff, id, query.before);
  }

  @Get(':id/coupon-options')
  couponOptions(@CurrentStaff() staff: StaffAccount, @Param('id', new ZodPipe(consoleMemberId)) id: number): Promise<GoodwillOptions> {
    return this.members.couponOptions(staff, id);
  }

  /** HQ only (FORBIDDEN otherwise); each reveal is an audit row, refused ones too. */
  @Post(':id/phone-reveal')
  @HttpCode(200)
  @Audited('member.phone_reveal', onMember)
  revealPhone(@CurrentStaff() staff: StaffAccount, @Param('id', new ZodPipe(consoleMemberId)) id: number): Promise<MemberPhoneReveal> {
    return this.members.revealPhone(staff, id);
  }

  /** HQ only: the admin adjustment (its limit, its idempotency key), for this member. */
  @Post(':id/points-adjustments')
  @HttpCode(200)
  @Audited('points.adjust', (input: AuditInput) => ({
    ...onMember(input),
    points: (input.body?.points as number | undefined) ?? null,
    target: (input.result?.id as number | undefined) ?? null,
  }))
  adjustPoints(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(consoleMemberId)) id: number,
    @Body(new ZodPipe(consoleAdjustmentBody)) body: ConsolePointsAdjustmentRequest,
  ): Promise<PointsAdjustmentView> {
    return this.members.adjustPoints(staff, id, body);
  }

  /** HQ and store managers (their members), within the role's goodwill face-value limit. */
  @Post(':id/coupons')
  @HttpCode(200)
  @Audited('member.give_coupon', (input: AuditInput) => ({
    ...onMember(input),
    amountFen: (input.result?.faceFen as number | undefined) ?? null,
    target: (input.result?.couponId as number | undefined) ?? null,
  }))
  giveCoupon(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(consoleMemberId)) id: number,
    @Body(new ZodPipe(giveCouponBody)) body: GiveCouponRequest,
  ): Promise<GiveCouponView> {
    return this.members.giveCoupon(staff, id, body);
  }
}
