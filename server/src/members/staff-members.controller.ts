import type { StaffMemberView, StaffProfile, VerifyMemberCodeRequest } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentSession, StaffGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { StaffService } from '../auth/staff.service';
import { ZodPipe } from '../common/zod.pipe';
import { MemberCardService } from './member-card.service';
import { memberIdParam, verifyMemberCodeBody } from './members.dto';

/** Staff pages: who am I, and who is this member (by the code they show, or by id once identified). */
@Controller('staff')
@UseGuards(StaffGuard)
export class StaffMembersController {
  constructor(
    private readonly cards: MemberCardService,
    private readonly staff: StaffService,
  ) {}

  @Get('me')
  async me(@CurrentSession() session: SessionClaims): Promise<StaffProfile> {
    const staff = (await this.staff.findByOpenid(session.openid))!;
    return { openid: staff.openid, role: staff.role, name: staff.name };
  }

  @Post('member-code/verify')
  @HttpCode(200)
  verify(@Body(new ZodPipe(verifyMemberCodeBody)) body: VerifyMemberCodeRequest): Promise<StaffMemberView> {
    return this.cards.verifyCode(body.code);
  }

  @Get('members/:id')
  member(@Param('id', new ZodPipe(memberIdParam)) id: number): Promise<StaffMemberView> {
    return this.cards.staffView(id);
  }
}
