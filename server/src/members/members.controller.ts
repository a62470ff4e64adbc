import type {
  DeleteAccountResponse,
  JoinRequest,
  MemberCard,
  MemberCodeResponse,
  MemberProfile,
  SetBirthdayRequest,
  UpdateProfileRequest,
} from '@member/shared';
import { Body, Controller, Get, HttpCode, Patch, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CurrentSession, MemberAuthGuard } from '../auth/auth.guards';
import type { SessionClaims } from '../auth/session';
import { DomainError } from '../common/domain-error';
import { ZodPipe } from '../common/zod.pipe';
import { AccountDeletionService } from './account-deletion.service';
import { AvatarService } from './avatar.service';
import { MemberCardService } from './member-card.service';
import { deleteAccountBody, joinBody, setBirthdayBody, updateProfileBody } from './members.dto';
import { MembersService } from './members.service';
import { WechatCall } from '../throttle/wechat-call.throttle';

/** The caller's own member data. There is no member route that takes a member id: nobody reads another. */
@Controller('members/me')
@UseGuards(MemberAuthGuard)
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly cards: MemberCardService,
    private readonly avatars: AvatarService,
    private readonly deletion: AccountDeletionService,
  ) {}

  @Get()
  profile(@CurrentSession() session: SessionClaims): Promise<MemberProfile> {
    return this.members.getProfile(session.memberId);
  }

  /** Binds the phone number through WeChat: throttled per member and per IP. */
  @Post('join')
  @HttpCode(200)
  @WechatCall('phone')
  join(@CurrentSession() session: SessionClaims, @Body(new ZodPipe(joinBody)) body: JoinRequest): Promise<MemberProfile> {
    return this.members.join(session.memberId, body, session.openid);
  }

  @Patch()
  update(
    @CurrentSession() session: SessionClaims,
    @Body(new ZodPipe(updateProfileBody)) body: UpdateProfileRequest,
  ): Promise<MemberProfile> {
    return this.members.updateProfile(session.memberId, body);
  }

  @Put('birthday')
  setBirthday(
    @CurrentSession() session: SessionClaims,
    @Body(new ZodPipe(setBirthdayBody)) body: SetBirthdayRequest,
  ): Promise<MemberProfile> {
    return this.members.setBirthday(session.memberId, body.birthday);
  }

  /** The picture from weapp's chooseAvatar, sent by wx.uploadFile as multipart field `file`. */
  @Post('avatar')
  @HttpCode(200)
  async uploadAvatar(@CurrentSession() session: SessionClaims, @Req() request: FastifyRequest): Promise<MemberProfile> {
    if (!request.isMultipart())
      throw new DomainError('VALIDATION_FAILED', [{ path: '(body)', reason: 'expected multipart/form-data with a file field' }]);
    const file = await request.file({ limits: { fileSize: this.avatars.maxBytes, files: 1 } });
    if (!file || file.fieldname !== 'file')
      throw new DomainError('VALIDATION_FAILED', [{ path: 'file', reason: 'a file field is required' }]);
    const bytes = await file.toBuffer().catch((error: { code?: string }) => {
      if (error.code === 'FST_REQ_FILE_TOO_LARGE') throw new DomainError('AVATAR_TOO_LARGE');
      throw error;
    });
    return this.avatars.saveAvatar(session.memberId, bytes);
  }

  /**
   * 注销: anonymises the account and ends every session issued for it. The body must say `{"confirm": true}`;
   * a replay with the old token is refused by the guard (SESSION_REVOKED) and changes nothing.
   */
  @Post('deletion')
  @HttpCode(200)
  deleteAccount(@CurrentSession() session: SessionClaims, @Body() body: unknown): Promise<DeleteAccountResponse> {
    if (!deleteAccountBody.safeParse(body).success) throw new DomainError('ACCOUNT_DELETE_NOT_CONFIRMED');
    return this.deletion.deleteAccount(session.memberId);
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
