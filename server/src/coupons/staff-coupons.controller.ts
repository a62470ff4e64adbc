import type {
  CouponPreview,
  CouponTemplateView,
  CreateCouponTemplateRequest,
  RedeemCouponRequest,
  RedemptionView,
  ReverseRedemptionResponse,
  SetCouponTemplateStatusRequest,
  UpdateCouponTemplateRequest,
} from '@member/shared';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Req, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { TillTicketsService } from '../auth/till-tickets.service';
import { DomainError } from '../common/domain-error';
import { Audited, setAuditStore } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import { createTemplateBody, idParam, redeemBody, setTemplateStatusBody } from './coupons.dto';
import { RedemptionService } from './redemption.service';
import { TemplatesService } from './templates.service';

/** The clerk at the till: preview a coupon on an order, redeem it, undo a redemption on a refund. */
@Controller('staff/coupons')
@UseGuards(StaffGuard)
export class StaffCouponsController {
  constructor(
    private readonly redemptions: RedemptionService,
    private readonly stores: StoresService,
    private readonly tickets: TillTicketsService,
  ) {}

  @Post('preview')
  @HttpCode(200)
  preview(@CurrentStaff() staff: StaffAccount, @Body(new ZodPipe(redeemBody)) body: RedeemCouponRequest): Promise<CouponPreview> {
    const { storeCode: named, tillTicket, ...request } = body;
    const memberId = tillTicket === undefined ? request.memberId : this.ticketMember(staff, tillTicket, named ?? null, request.memberId);
    return this.redemptions.preview({ ...request, memberId });
  }

  /** At the clerk's own store: the store comes from the account (audited with the redemption). */
  @Post('redeem')
  @HttpCode(200)
  @Audited('coupon.redeem', ({ result }) => ({
    target: (result?.redemptionId as number | undefined) ?? undefined,
    amountFen: (result?.discountFen as number | undefined) ?? undefined,
  }))
  async redeem(
    @CurrentStaff() staff: StaffAccount,
    @Req() http: unknown,
    @Body(new ZodPipe(redeemBody)) body: RedeemCouponRequest,
  ): Promise<RedemptionView> {
    const { storeCode: asked, tillTicket, ...request } = body;
    // A ticket names the store the member was identified at: the redemption happens there.
    const named = asked ?? (tillTicket === undefined ? undefined : (this.tickets.memberOf(staff, tillTicket, null).storeCode ?? undefined));
    const storeCode = staff.role !== 'admin' || named !== undefined ? await this.stores.storeFor(staff, named) : null;
    if (storeCode) setAuditStore(http, storeCode);
    const memberId = tillTicket === undefined ? request.memberId : this.ticketMember(staff, tillTicket, storeCode, request.memberId);
    return this.redemptions.redeem({ ...request, memberId }, staff.openid, storeCode);
  }

  /** The member a till ticket names; a ticket and a member id that disagree are refused as not this clerk's. */
  private ticketMember(staff: StaffAccount, ticket: string, storeCode: string | null, memberId: number | undefined): number {
    const identified = this.tickets.memberOf(staff, ticket, storeCode);
    if (memberId !== undefined && memberId !== identified.memberId) throw new DomainError('TILL_TICKET_NOT_YOURS');
    return identified.memberId;
  }

  /** Only at the store the redemption was made at (an admin: anywhere); see RedemptionService.reverse. */
  @Post('redemptions/:id/reverse')
  @HttpCode(200)
  reverse(
    @CurrentStaff() staff: StaffAccount,
    @Param('id', new ZodPipe(idParam)) redemptionId: number,
  ): Promise<ReverseRedemptionResponse> {
    return this.redemptions.reverse(redemptionId, staff);
  }
}

/** Marketing staff (admin role): coupon templates. */
@Controller('admin/coupon-templates')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class AdminCouponTemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  list(): Promise<CouponTemplateView[]> {
    return this.templates.list();
  }

  @Post()
  create(@Body(new ZodPipe(createTemplateBody)) body: CreateCouponTemplateRequest): Promise<CouponTemplateView> {
    return this.templates.create(body);
  }

  @Get(':id')
  get(@Param('id', new ZodPipe(idParam)) id: number): Promise<CouponTemplateView> {
    return this.templates.get(id);
  }

  /** While not live only (COUPON_TEMPLATE_ALREADY_LIVE): see TemplatesService. */
  @Put(':id')
  update(
    @Param('id', new ZodPipe(idParam)) id: number,
    @Body(new ZodPipe(createTemplateBody)) body: UpdateCouponTemplateRequest,
  ): Promise<CouponTemplateView> {
    return this.templates.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', new ZodPipe(idParam)) id: number): Promise<void> {
    return this.templates.remove(id);
  }

  @Patch(':id/status')
  setStatus(
    @Param('id', new ZodPipe(idParam)) id: number,
    @Body(new ZodPipe(setTemplateStatusBody)) body: SetCouponTemplateStatusRequest,
  ): Promise<CouponTemplateView> {
    return this.templates.setStatus(id, body.status);
  }
}
