import type { CouponPreview, CouponTemplateView, CreateCouponTemplateRequest, RedeemCouponRequest, RedemptionView, ReverseRedemptionResponse, SetCouponTemplateStatusRequest } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { CurrentSession, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { createTemplateBody, idParam, redeemBody, setTemplateStatusBody } from './coupons.dto';
import { RedemptionService } from './redemption.service';
import { TemplatesService } from './templates.service';

/** The clerk at the till: preview a coupon on an order, redeem it, undo a redemption on a refund. */
@Controller('staff/coupons')
@UseGuards(StaffGuard)
export class StaffCouponsController {
  constructor(private readonly redemptions: RedemptionService) {}

  @Post('preview')
  @HttpCode(200)
  preview(@Body(new ZodPipe(redeemBody)) body: RedeemCouponRequest): Promise<CouponPreview> {
    return this.redemptions.preview(body);
  }

  @Post('redeem')
  @HttpCode(200)
  redeem(@CurrentSession() session: SessionClaims, @Body(new ZodPipe(redeemBody)) body: RedeemCouponRequest): Promise<RedemptionView> {
    return this.redemptions.redeem(body, session.openid);
  }

  @Post('redemptions/:id/reverse')
  @HttpCode(200)
  reverse(@Param('id', new ZodPipe(idParam)) redemptionId: number): Promise<ReverseRedemptionResponse> {
    return this.redemptions.reverse(redemptionId);
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

  @Patch(':id/status')
  setStatus(@Param('id', new ZodPipe(idParam)) id: number, @Body(new ZodPipe(setTemplateStatusBody)) body: SetCouponTemplateStatusRequest): Promise<CouponTemplateView> {
    return this.templates.setStatus(id, body.status);
  }
}
