import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { MemberAuthGuard, StaffGuard } from './auth.guards';
import { SessionTokens } from './session';
import { StaffService } from './staff.service';

/** Sessions, staff roles and the guards every feature module's controllers use. */
@Global()
@Module({
  imports: [JwtModule.register({})],
  providers: [SessionTokens, StaffService, MemberAuthGuard, StaffGuard],
  exports: [SessionTokens, StaffService, MemberAuthGuard, StaffGuard],
})
export class AuthCoreModule {}
