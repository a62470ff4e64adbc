import type { LoginResponse } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { MembersService } from '../members/members.service';
import { WechatClient } from '../wechat/wechat.client';
import { WechatApiError } from '../wechat/wechat.errors';
import { SessionTokens } from './session';
import { StaffService } from './staff.service';

/** code2Session errcodes that are the caller's problem, with what the member is told. */
const LOGIN_ERRORS = new Map([
  [40029, 'WECHAT_CODE_INVALID'],
  [40163, 'WECHAT_CODE_USED'],
  [40226, 'WECHAT_USER_BLOCKED'],
  [45011, 'WECHAT_RATE_LIMITED'],
  // The app's daily call quota: a limit like 45011 for the member (try again later), not a server fault.
  [45009, 'WECHAT_RATE_LIMITED'],
  [-1, 'WECHAT_UNAVAILABLE'],
] as const);

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly wechat: WechatClient,
    private readonly members: MembersService,
    private readonly staff: StaffService,
    private readonly sessions: SessionTokens,
  ) {}

  /**
   * Silent login: the wx.login() code is exchanged with WeChat for the openid. WeChat's session_key is not
   * kept at all: the phone API we use no longer needs it, and a secret we do not store cannot leak.
   */
  async login(code: string): Promise<LoginResponse> {
    let openid: string;
    let unionid: string | null;
    try {
      ({ openid, unionid } = await this.wechat.code2Session(code));
    } catch (error) {
      const mapped = error instanceof WechatApiError ? LOGIN_ERRORS.get(error.errcode as 40029) : undefined;
      if (mapped) throw new DomainError(mapped, undefined, { errcode: (error as WechatApiError).errcode });
      throw error;
    }
    const member = await this.members.findOrCreateByOpenid(openid, unionid);
    const session = this.sessions.issue({ memberId: member.id, openid });
    this.logger.log({ memberId: member.id }, 'member logged in');
    return {
      token: session.token,
      expiresAt: session.expiresAt.toISOString(),
      member: this.members.profileOf(member),
      staffRole: await this.staff.roleOf(openid),
    };
  }
}
