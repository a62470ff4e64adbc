import type { ClaimCentreEntry, CouponView, WalletResponse, WalletTab } from '@member/shared';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { ClaimService } from './claim.service';
import { idParam, walletQuery } from './coupons.dto';
import { WalletService } from './wallet.service';

/** The member's claim centre and wallet (the claim itself: FlashClaimRoute). */
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

  @Get('wallet')
  walletTab(@CurrentSession() session: SessionClaims, @Query(new ZodPipe(walletQuery)) query: { tab: WalletTab }): Promise<WalletResponse> {
    return this.wallet.wallet(session.memberId, query.tab);
  }

  @Get(':id')
  detail(@CurrentSession() session: SessionClaims, @Param('id', new ZodPipe(idParam)) couponId: number): Promise<CouponView> {
    return this.wallet.detail(session.memberId, couponId);
  }
}
