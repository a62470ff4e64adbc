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
});
