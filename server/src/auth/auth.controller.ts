import type { LoginRequest, LoginResponse } from '@member/shared';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ZodPipe } from '../common/zod.pipe';
import { loginBody } from '../members/members.dto';
import { WechatCall } from '../throttle/wechat-call.throttle';
import { AuthService } from './auth.service';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** The mini-program's silent login with a wx.login() code. */
  @Post('login')
  @HttpCode(200)
  @WechatCall('login')
  login(@Body(new ZodPipe(loginBody)) body: LoginRequest): Promise<LoginResponse> {
    return this.auth.login(body.code);
  }
}
