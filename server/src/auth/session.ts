import { createSecretKey, type KeyObject } from 'node:crypto';
import type { AppConfig } from '@member/config';
import { Injectable } from '@nestjs/common';
import { sign, verify } from 'jsonwebtoken';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';

/** Who is calling: set on the request by the auth guard. */
export interface SessionClaims {
  memberId: number;
  openid: string;
}

/**
 * Sessions are short-lived signed tokens (HS256 JWT, 2 h by default) rather than server-side rows: any of
 * N stateless instances can check one without a database round trip, and the mini-program simply logs in
 * again silently (wx.login) when one expires, so a short life costs the member nothing. Staff rights are
 * NOT in the token: they are read from the database on every staff request, so revoking a clerk is immediate.
 */
@Injectable()
export class SessionTokens {
  /**
   * Made once: given the secret as a string, jsonwebtoken probes it with createPublicKey on every call, which
   * was half the server's CPU on the card route.
   */
  private readonly key: KeyObject;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.key = createSecretKey(Buffer.from(config.security.sessionSecret, 'utf8'));
  }

  issue(claims: SessionClaims): { token: string; expiresAt: Date } {
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const expiresAtSeconds = issuedAt + this.config.session.ttlSeconds;
    const token = sign({ sub: String(claims.memberId), oid: claims.openid, iat: issuedAt, exp: expiresAtSeconds }, this.key, {
      algorithm: 'HS256',
    });
    return { token, expiresAt: new Date(expiresAtSeconds * 1000) };
  }

  verify(token: string): SessionClaims {
    let payload: { sub?: string; oid?: string; exp?: number };
    try {
      const decoded = verify(token, this.key, {
        algorithms: ['HS256'],
        // Expiry is judged below against the injectable clock, so tests can move time.
        ignoreExpiration: true,
      });
      if (typeof decoded === 'string') throw new Error('not a JSON payload');
      payload = decoded as typeof payload;
    } catch {
      throw new DomainError('AUTH_REQUIRED');
    }
    const memberId = Number(payload.sub);
    if (!Number.isSafeInteger(memberId) || memberId < 1 || typeof payload.oid !== 'string' || typeof payload.exp !== 'number') {
      throw new DomainError('AUTH_REQUIRED');
    }
    if (payload.exp * 1000 <= this.clock.now().getTime()) throw new DomainError('SESSION_EXPIRED');
    return { memberId, openid: payload.oid };
  }
}
