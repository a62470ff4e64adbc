import type { AppConfig } from '@member/config';
import { Module } from '@nestjs/common';
import { CouponsModule } from '../coupons/coupons.module';
import { APP_CONFIG } from '../common/app-config';
import { AccountDeletionService } from './account-deletion.service';
import { AvatarService } from './avatar.service';
import { MediaController } from './media.controller';
import { MemberCardService } from './member-card.service';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';
import { PhoneVault } from './phone-vault';
import { StaffMembersController } from './staff-members.controller';

@Module({
  // The card shows the usable coupon count: members reads from coupons, never the other way round.
  imports: [CouponsModule],
  controllers: [MembersController, StaffMembersController, MediaController],
  providers: [
    MembersService,
    MemberCardService,
    AccountDeletionService,
    AvatarService,
    { provide: PhoneVault, useFactory: (config: AppConfig) => new PhoneVault(config.security.phoneEncryptionKey), inject: [APP_CONFIG] },
  ],
  exports: [MembersService, MemberCardService, PhoneVault],
})
export class MembersModule {}
