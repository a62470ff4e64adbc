import { Module } from '@nestjs/common';
import { ClaimService } from './claim.service';
import { CouponExpiryJob } from './coupon-expiry.job';
import { CouponIssuer } from './coupon-issuer';
import { CouponsController } from './coupons.controller';
import { FlashClaimRoute } from './flash-claim.route';
import { RedemptionService } from './redemption.service';
import { AdminCouponTemplatesController, StaffCouponsController } from './staff-coupons.controller';
import { TemplatesService } from './templates.service';
import { WalletService } from './wallet.service';

@Module({
  controllers: [CouponsController, StaffCouponsController, AdminCouponTemplatesController],
  providers: [FlashClaimRoute, TemplatesService, CouponIssuer, ClaimService, WalletService, RedemptionService, CouponExpiryJob],
  exports: [WalletService, CouponIssuer, ClaimService, RedemptionService, TemplatesService, CouponExpiryJob],
})
export class CouponsModule {}
