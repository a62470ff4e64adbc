import type { AppConfig } from '@member/config';
import { applyDecorators, Injectable, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerOptions } from '@nestjs/throttler';
import { DomainError } from '../common/domain-error';

/** Routes that make us call WeChat for a user: each kind has its own limits (config `throttle`). */
/** consoleLogin is not a WeChat call, but the same kind of risk: an unauthenticated route that writes a row. */
export type WechatCallKind = 'login' | 'phone' | 'payConfirm' | 'consoleLogin';

const WECHAT_CALL_KEY = 'wechatCall';

/**
 * Throttles a route that calls WeChat on the user's behalf, per member and per IP, in the shared throttle table.
 * Put it after the auth guard (the per-member key needs the session): method guards run after class guards.
 */
export const WechatCall = (kind: WechatCallKind) => applyDecorators(SetMetadata(WECHAT_CALL_KEY, kind), UseGuards(WechatCallThrottleGuard));
/** The console asking for a sign-in QR code, per IP (config `throttle.consoleLogin`). */
export const ConsoleLoginThrottled = () => WechatCall('consoleLogin');

type TrackedRequest = { ip?: string; session?: { memberId: number }; query?: Record<string, unknown> };
const kindOf = (context: ExecutionContext) => Reflect.getMetadata(WECHAT_CALL_KEY, context.getHandler()) as WechatCallKind | undefined;
const request = (context: ExecutionContext) => context.switchToHttp().getRequest<TrackedRequest>();
const byIp = (req: TrackedRequest) => `ip:${req.ip ?? 'unknown'}`;
const byMember = (req: TrackedRequest) => `member:${req.session?.memberId ?? 'anonymous'}`;

/** The throttlers, one per (kind, who), each limited to its kind's routes. Windows are one minute. */
export function wechatCallThrottlers(config: AppConfig['throttle']): { throttlers: ThrottlerOptions[] } {
  const minute = 60_000;
  const only = (kind: WechatCallKind, extra?: (context: ExecutionContext) => boolean) => (context: ExecutionContext) =>
    kindOf(context) !== kind || (extra?.(context) ?? false);
  // Only ?confirm=1 makes us ask WeChat; plain reads of the order are our own database.
  const notConfirming = (context: ExecutionContext) => request(context).query?.confirm !== '1';
  const throttlers: ThrottlerOptions[] = [
    { name: 'login-ip', ttl: minute, limit: config.login.perIpPerMinute, getTracker: byIp, skipIf: only('login') },
    { name: 'phone-member', ttl: minute, limit: config.phone.perMemberPerMinute, getTracker: byMember, skipIf: only('phone') },
    { name: 'phone-ip', ttl: minute, limit: config.phone.perIpPerMinute, getTracker: byIp, skipIf: only('phone') },
    {
      name: 'confirm-member',
      ttl: minute,
      limit: config.payConfirm.perMemberPerMinute,
      getTracker: byMember,
      skipIf: only('payConfirm', notConfirming),
    },
    {
      name: 'confirm-ip',
      ttl: minute,
      limit: config.payConfirm.perIpPerMinute,
      getTracker: byIp,
      skipIf: only('payConfirm', notConfirming),
    },
    {
      name: 'console-login-ip',
      ttl: minute,
      limit: config.consoleLogin.perIpPerMinute,
      getTracker: byIp,
      skipIf: only('consoleLogin'),
    },
  ];
  return { throttlers };
}

/** @nestjs/throttler's guard, answering our RATE_LIMITED (429, zh-CN message) instead of its English text. */
@Injectable()
export class WechatCallThrottleGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(): Promise<void> {
    throw new DomainError('RATE_LIMITED');
  }
}
