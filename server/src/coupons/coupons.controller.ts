import type { ApiErrorBody, ClaimCentreEntry, ClaimCouponRequest, CouponView, WalletResponse, WalletTab } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ChecksSessionLiveness, CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { refusal } from '../common/error.filter';
import { ZodPipe } from '../common/zod.pipe';
import { ClaimService } from './claim.service';
import { claimBody, idParam, walletQuery } from './coupons.dto';
import { WalletService } from './wallet.service';

/** The member's claim centre and wallet. */
@Controller('coupons')
@UseGuards(MemberAuthGuard)
export class CouponsController {
  constructor(
    private readonly claims: ClaimService,
    private readonly wallet: WalletService,
  ) {}

  @Get('claim-centre')
  claimCentre(@CurrentSession() session: SessionClaims): Promise<ClaimCentreEntry[]> {
    return this.claims.claimCentre(session.memberId);
  }

  /** A flash claim: its refusals (已领完, the limit) are answered as values, as the error filter would answer them. */
  @Post('templates/:id/claim')
  @ChecksSessionLiveness()
  @HttpCode(200)
  async claim(
    @CurrentSession() session: SessionClaims,
    @Param('id', new ZodPipe(idParam)) templateId: number,
    @Body(new ZodPipe(claimBody)) body: ClaimCouponRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CouponView | ApiErrorBody> {
    const result = await this.claims.claimResult(session.memberId, templateId, body.idempotencyKey);
    return result.kind === 'coupon' ? result.view : refusal(reply, result.code);
  }

  @Get('wallet')
  walletTab(@CurrentSession() session: SessionClaims, @Query(new ZodPipe(walletQuery)) query: { tab: WalletTab }): Promise<WalletResponse> {
    return this.wallet.wallet(session.memberId, query.tab);
  }

  @Get(':id')
  detail(@CurrentSession() session: SessionClaims, @Param('id', new ZodPipe(idParam)) couponId: number): Promise<CouponView> {
    return this.wallet.detail(session.memberId, couponId);
  }
}
