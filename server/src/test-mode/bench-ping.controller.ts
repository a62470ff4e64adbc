import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { TestModeGuard } from './test-mode.controller';

/**
 * Test mode only: the card bench's second baseline, a bare authenticated route in the same server process
 * (the member JWT check, no database). It answers the caller's own member id and nothing else.
 */
@Controller('test')
@UseGuards(TestModeGuard, MemberAuthGuard)
export class BenchPingController {
  @Get('ping')
  ping(@CurrentSession() session: SessionClaims): { memberId: number } {
    return { memberId: session.memberId };
  }
}
