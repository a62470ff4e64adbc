import type { AppConfig } from '@member/config';
import { Injectable } from '@nestjs/common';
import { createSigner, createVerifier } from 'fast-jwt';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';

/**
 * How many verified tokens are remembered. A member's token is checked on every request (a flash claim taps,
 * retries, then opens the card), and the HMAC over it was an eighth of the server's CPU in the flash-claim
 * profile. An entry is the token and its claims, about 350 bytes: 50,000 is under 20 MB, enough for the members
 * active within minutes of each other on one instance.
 */
const VERIFIED_TOKENS_KEPT = 50_000;

interface VerifiedToken {
  memberId: number;
  openid: string;
  expiresAtMs: number;
}

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
   * fast-jwt (the JWT library of Fastify's own plugin), made once with the key: at a flash claim every tap is a
   * token seen for the first time, and jsonwebtoken's check took twice as long per token (about 14 µs against 7 µs
   * on this machine, the HMAC itself being 3 µs), a tenth of the server's CPU per claim. Only HS256 is accepted.
   */
  private readonly signToken: (payload: Record<string, unknown>) => string;
  private readonly checkToken: (token: string) => { sub?: unknown; oid?: unknown; exp?: unknown };
  /**
   * Tokens whose signature this instance has checked, in two generations of at most half of VERIFIED_TOKENS_KEPT
   * each: new tokens and those used again go into the young one; when it is full it becomes the old one and the old
   * one is dropped, so a token used within the last half of that many others is always remembered. Not a strict
   * LRU map: moving a hit to the young end on every request (a delete and a set, three look-ups of a 200-character
   * key) made a hit cost about 1.55 µs against 1.0 µs with one look-up (20,000 tokens, each a fresh string as read
   * from a header), in a flash claim of about 56 µs of server CPU.
   * Keyed by the whole token string, so a tampered token or one signed with another secret is a different key
   * and goes through the full check; only expiry, which depends on the clock, is judged again on every hit.
   */
  private young = new Map<string, VerifiedToken>();
  private old = new Map<string, VerifiedToken>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    const key = Buffer.from(config.security.sessionSecret, 'utf8');
    // The claims carry their own iat and exp, from the injectable clock (fast-jwt keeps an iat it is given).
    this.signToken = createSigner({ key, algorithm: 'HS256' });
    // Expiry is judged below against the injectable clock, so tests can move time.
    this.checkToken = createVerifier({ key, algorithms: ['HS256'], ignoreExpiration: true, ignoreNotBefore: true });
  }

  issue(claims: SessionClaims): { token: string; expiresAt: Date } {
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const expiresAtSeconds = issuedAt + this.config.session.ttlSeconds;
    const token = this.signToken({ sub: String(claims.memberId), oid: claims.openid, iat: issuedAt, exp: expiresAtSeconds });
    return { token, expiresAt: new Date(expiresAtSeconds * 1000) };
  }

  verify(token: string): SessionClaims {
    const known = this.recall(token);
    if (known) {
      if (known.expiresAtMs <= this.clock.now().getTime()) {
        this.young.delete(token);
        this.old.delete(token);
        throw new DomainError('SESSION_EXPIRED');
      }
      return { memberId: known.memberId, openid: known.openid };
    }
    let payload: { sub?: unknown; oid?: unknown; exp?: unknown };
    try {
      payload = this.checkToken(token);
    } catch {
      throw new DomainError('AUTH_REQUIRED');
    }
    if (typeof payload !== 'object' || payload === null) throw new DomainError('AUTH_REQUIRED');
    const memberId = Number(payload.sub);
    if (!Number.isSafeInteger(memberId) || memberId < 1 || typeof payload.oid !== 'string' || typeof payload.exp !== 'number') {
      throw new DomainError('AUTH_REQUIRED');
    }
    const expiresAtMs = payload.exp * 1000;
    // An expired token is not kept: the clock can move back in tests, and then it is checked in full again.
    if (expiresAtMs <= this.clock.now().getTime()) throw new DomainError('SESSION_EXPIRED');
    this.remember(token, { memberId, openid: payload.oid, expiresAtMs });
    return { memberId, openid: payload.oid };
  }

  /** A remembered token's claims; one found in the old generation moves to the young one. */
  private recall(token: string): VerifiedToken | undefined {
    const young = this.young.get(token);
    if (young) return young;
    const old = this.old.get(token);
    if (old) this.remember(token, old);
    return old;
  }

  private remember(token: string, verified: VerifiedToken): void {
    if (this.young.size >= VERIFIED_TOKENS_KEPT / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(token, verified);
  }
}
