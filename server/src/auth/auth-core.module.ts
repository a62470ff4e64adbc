import { Global, Module } from '@nestjs/common';
import { MemberAuthGuard, StaffGuard } from './auth.guards';
import { MemberAccessService } from './member-access.service';
import { MemberDeletedAccessSubscriber } from './member-deleted.subscriber';
import { MemberCodeGate } from './member-code-gate';
import { SessionTokens } from './session';
import { SessionRevocations } from './session-revocations';
import { StaffService } from './staff.service';
import { StoresService } from './stores.service';
import { TillTicketsService } from './till-tickets.service';

/** Sessions, staff roles and stores, a clerk's access to members, and the guards every feature module uses. */
@Global()
@Module({
  providers: [
    SessionTokens,
    SessionRevocations,
    StaffService,
    StoresService,
    MemberAccessService,
    MemberCodeGate,
    TillTicketsService,
    MemberAuthGuard,
    StaffGuard,
    MemberDeletedAccessSubscriber,
  ],
  exports: [
    SessionTokens,
    SessionRevocations,
    StaffService,
    StoresService,
    MemberAccessService,
    MemberCodeGate,
    TillTicketsService,
    MemberAuthGuard,
    StaffGuard,
  ],
})
export class AuthCoreModule {}
