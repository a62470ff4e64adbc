import type { ConsoleLoginPollView, ConsoleLoginRequestView, ConsoleLoginTicketView } from '@member/shared';
import { Controller, Get, Headers, HttpCode, Ip, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CurrentSession, CurrentStaff, StaffGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import type { StaffAccount } from '../auth/staff.service';
import { ZodPipe } from '../common/zod.pipe';
import { ConsoleLoginThrottled } from '../throttle/wechat-call.throttle';
import { consolePollQuery, consoleTicketIdParam } from './console-login.dto';
import { ConsoleLoginService } from './console-login.service';

/** The console's side: no session yet, so the QR code is asked for per IP under a limit, and polled with its secret. */
@Controller('console/login-tickets')
export class ConsoleLoginController {
  constructor(private readonly logins: ConsoleLoginService) {}

  @Post()
  @HttpCode(201)
  @ConsoleLoginThrottled()
  create(@Headers('user-agent') userAgent: string | undefined, @Ip() ip: string | undefined): Promise<ConsoleLoginTicketView> {
    return this.logins.create(userAgent, ip ?? null);
  }

  @Get(':id')
  poll(
    @Param(new ZodPipe(consoleTicketIdParam)) params: { id: string },
    @Query(new ZodPipe(consolePollQuery)) query: { secret: string },
  ): Promise<ConsoleLoginPollView> {
    return this.logins.poll(params.id, query.secret);
  }
}

/** The phone's side, in the staff pages: see what is signing in, then confirm or deny. */
@Controller('staff/console-login')
@UseGuards(StaffGuard)
export class StaffConsoleLoginController {
  constructor(private readonly logins: ConsoleLoginService) {}

  @Post(':id/scan')
  @HttpCode(200)
  scan(
    @CurrentStaff() staff: StaffAccount,
    @CurrentSession() session: SessionClaims,
    @Param(new ZodPipe(consoleTicketIdParam)) params: { id: string },
  ): Promise<ConsoleLoginRequestView> {
    return this.logins.scan(staff, session, params.id);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  confirm(
    @CurrentStaff() staff: StaffAccount,
    @CurrentSession() session: SessionClaims,
    @Param(new ZodPipe(consoleTicketIdParam)) params: { id: string },
  ) {
    return this.logins.confirm(staff, session, params.id);
  }

  @Post(':id/deny')
  @HttpCode(200)
  deny(@CurrentStaff() staff: StaffAccount, @Param(new ZodPipe(consoleTicketIdParam)) params: { id: string }) {
    return this.logins.deny(staff, params.id);
  }
}
