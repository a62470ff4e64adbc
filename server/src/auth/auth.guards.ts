import type { StaffRole } from '@member/shared';
import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error';
import { SessionTokens, type SessionClaims } from './session';
import { SessionRevocations } from './session-revocations';
import { StaffService, type StaffAccount } from './staff.service';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  session?: SessionClaims;
  staffRole?: StaffRole;
  /** Set by StaffGuard: the account, its role and its stores, as the database says now. */
  staff?: StaffAccount;
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(request: AuthenticatedRequest): string | null {
  const header = request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match ? match[1] : null;
}

/**
 * Any logged-in WeChat user (a member row exists from the first login) whose account has not been deleted: a
 * token issued before a deletion (注销) is refused from then on, on every instance (SessionRevocations). (The flash
 * claim, FlashClaimRoute, is a route of its own that makes these checks itself.)
 */
@Injectable()
export class MemberAuthGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionTokens,
    private readonly revocations: SessionRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request);
    if (!token) throw new DomainError('AUTH_REQUIRED');
    const session = this.sessions.verify(token);
    await this.revocations.assertLive(session.memberId);
    request.session = session;
    return true;
  }
}

const STAFF_ROLES_KEY = 'staffRoles';
/** Which staff roles may call a route; staff routes without it accept every staff role. */
export const StaffRoles = (...roles: StaffRole[]) => SetMetadata(STAFF_ROLES_KEY, roles);

/** A logged-in user whose openid is bound to a staff role right now (read from the database every time). */
@Injectable()
export class StaffGuard implements CanActivate {
  constructor(
    private readonly memberAuth: MemberAuthGuard,
    private readonly staff: StaffService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.memberAuth.canActivate(context);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const account = await this.staff.accountOf(request.session!.openid);
    const allowed = this.reflector.getAllAndOverride<StaffRole[] | undefined>(STAFF_ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!account || (allowed && !allowed.includes(account.role))) throw new DomainError('FORBIDDEN');
    request.staffRole = account.role;
    request.staff = account;
    return true;
  }
}

/** The caller's session claims, in a handler behind MemberAuthGuard or StaffGuard. */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext): SessionClaims => {
  const session = context.switchToHttp().getRequest<AuthenticatedRequest>().session;
  if (!session) throw new DomainError('AUTH_REQUIRED');
  return session;
});

/** The calling staff account (role and stores), in a handler behind StaffGuard. */
export const CurrentStaff = createParamDecorator((_data: unknown, context: ExecutionContext): StaffAccount => {
  const staff = context.switchToHttp().getRequest<AuthenticatedRequest>().staff;
  if (!staff) throw new DomainError('FORBIDDEN');
  return staff;
});
