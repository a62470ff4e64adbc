import { createHmac } from 'node:crypto';
import { ManualClock } from '../common/clock';
import { codeThrownBy } from '../testing/spec';
import { testConfig } from '../testing/test-app';
import { SessionTokens } from './session';

const codeOf = codeThrownBy;

describe('session tokens', () => {
  const config = testConfig();
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
  const sessions = new SessionTokens(config, clock);

  it('round-trips the member and expires after the configured lifetime, by the injected clock', () => {
    const { token, expiresAt } = sessions.issue({ memberId: 42, openid: 'o-42' });
    expect(expiresAt.toISOString()).toBe('2026-11-23T04:00:00.000Z');
    expect(sessions.verify(token)).toEqual({ memberId: 42, openid: 'o-42' });
    clock.advance(config.session.ttlSeconds - 1);
    expect(sessions.verify(token).memberId).toBe(42);
    clock.advance(1);
    expect(codeOf(() => sessions.verify(token))).toBe('SESSION_EXPIRED');
  });

  it('refuses tampered, unsigned and foreign tokens', () => {
    clock.set('2026-11-23T02:00:00Z');
    const { token } = sessions.issue({ memberId: 7, openid: 'o-7' });
    const [header, , signature] = token.split('.');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const otherPayload = b64({ sub: '8', oid: 'o-8', iat: 1795428000, exp: 1795435200 });
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${otherPayload}.`;
    const foreignSignature = createHmac('sha256', 'another-secret-0123456789abcdef0123')
      .update(`${header}.${otherPayload}`)
      .digest('base64url');
    for (const forged of [
      `${header}.${otherPayload}.${signature}`,
      unsigned,
      `${header}.${otherPayload}.${foreignSignature}`,
      'x.y.z',
      '',
    ]) {
      expect(codeOf(() => sessions.verify(forged))).toBe('AUTH_REQUIRED');
    }
  });

  it('issues a plain HS256 JWT, reads one signed elsewhere with the secret, and accepts no other algorithm or shape', () => {
    clock.set('2026-11-23T02:00:00Z');
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = (header: object, payload: unknown, algorithm = 'sha256') => {
      const body = `${b64(header)}.${b64(payload)}`;
      return `${body}.${createHmac(algorithm, config.security.sessionSecret).update(body).digest('base64url')}`;
    };
    const { token } = sessions.issue({ memberId: 9, openid: 'o-9' });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as unknown);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: '9', oid: 'o-9', iat: 1795399200, exp: 1795399200 + config.session.ttlSeconds });
    // Signed by hand with node:crypto, as another service holding the secret would.
    const claims = { sub: '10', oid: 'o-10', iat: 1795399200, exp: 1795406400 };
    expect(sessions.verify(signed({ alg: 'HS256', typ: 'JWT' }, claims))).toEqual({ memberId: 10, openid: 'o-10' });
    expect(sessions.verify(signed({ alg: 'HS256' }, { ...claims, sub: '11' }))).toEqual({ memberId: 11, openid: 'o-10' });
    for (const forged of [
      signed({ alg: 'HS512', typ: 'JWT' }, claims, 'sha512'),
      signed({ alg: 'HS384', typ: 'JWT' }, claims, 'sha384'),
      signed({ alg: 'HS256', typ: 'JWT' }, 'a string'),
      signed({ alg: 'HS256', typ: 'JWT' }, [claims]),
      signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: undefined }),
      signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: '0' }),
      signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: '1.5' }),
      signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, oid: 10 }),
    ]) {
      expect([forged, codeOf(() => sessions.verify(forged))]).toEqual([forged, 'AUTH_REQUIRED']);
    }
  });
});
