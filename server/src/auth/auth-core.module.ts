import { Global, Module } from '@nestjs/common';
import { MemberAuthGuard, StaffGuard } from './auth.guards';
import { SessionTokens } from './session';
import { StaffService } from './staff.service';

/** Sessions, staff roles and the guards every feature module's controllers use. */
@Global()
@Module({
  providers: [SessionTokens, StaffService, MemberAuthGuard, StaffGuard],
  exports: [SessionTokens, StaffService, MemberAuthGuard, StaffGuard],
})
export class AuthCoreModule {}
