import type { JoinRequest, MemberCard, MemberCodeResponse, MemberProfile, SetBirthdayRequest, UpdateProfileRequest } from '@member/shared';
import { Body, Controller, Get, HttpCode, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { ZodPipe } from '../common/zod.pipe';
import { MemberCardService } from './member-card.service';
import { joinBody, setBirthdayBody, updateProfileBody } from './members.dto';
import { MembersService } from './members.service';

/** The caller's own member data. There is no member route that takes a member id: nobody reads another. */
@Controller('members/me')
@UseGuards(MemberAuthGuard)
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly cards: MemberCardService,
  ) {}

  @Get()
  profile(@CurrentSession() session: SessionClaims): Promise<MemberProfile> {
    return this.members.getProfile(session.memberId);
  }

  @Post('join')
  @HttpCode(200)
  join(@CurrentSession() session: SessionClaims, @Body(new ZodPipe(joinBody)) body: JoinRequest): Promise<MemberProfile> {
    return this.members.join(session.memberId, body, session.openid);
  }

  @Patch()
  update(@CurrentSession() session: SessionClaims, @Body(new ZodPipe(updateProfileBody)) body: UpdateProfileRequest): Promise<MemberProfile> {
    return this.members.updateProfile(session.memberId, body);
  }

  @Put('birthday')
  setBirthday(@CurrentSession() session: SessionClaims, @Body(new ZodPipe(setBirthdayBody)) body: SetBirthdayRequest): Promise<MemberProfile> {
    return this.members.setBirthday(session.memberId, body.birthday);
  }

  @Get('card')
  card(@CurrentSession() session: SessionClaims): Promise<MemberCard> {
    return this.cards.getCard(session.memberId);
  }

  @Get('code')
  code(@CurrentSession() session: SessionClaims): Promise<MemberCodeResponse> {
    return this.cards.issueCode(session.memberId);
  }
}
