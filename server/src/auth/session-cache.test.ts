import { createHmac } from 'node:crypto';
import { ManualClock } from '../common/clock';
import { codeThrownBy } from '../testing/spec';
import { testConfig } from '../testing/test-app';
import { SessionTokens } from './session';

// The real verifier, counted: a remembered token must not be checked again, and everything else must be.
const signatureChecks = jest.fn();
jest.mock('fast-jwt', () => {
  const actual = jest.requireActual('fast-jwt');
  return {
    ...actual,
    createVerifier: (options: object) => {
      const verify = actual.createVerifier(options);
      return (token: string) => {
        signatureChecks(token);
        return verify(token);
      };
    },
  };
});

const codeOf = codeThrownBy;

describe('remembered session tokens', () => {
  const config = testConfig();
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));

  beforeEach(() => {
    clock.set('2026-11-23T02:00:00Z');
    signatureChecks.mockClear();
  });

  it('checks a signature once, yet a remembered token still expires at its exp by the injected clock', () => {
    const sessions = new SessionTokens(config, clock);
    const { token } = sessions.issue({ memberId: 42, openid: 'o-42' });
    expect(sessions.verify(token)).toEqual({ memberId: 42, openid: 'o-42' });
    clock.advance(config.session.ttlSeconds - 1);
    expect(sessions.verify(token)).toEqual({ memberId: 42, openid: 'o-42' });
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    clock.advance(1);
    expect(codeOf(() => sessions.verify(token))).toBe('SESSION_EXPIRED');
    expect(codeOf(() => sessions.verify(token))).toBe('SESSION_EXPIRED');
    // Stateless as before: with the clock moved back the token is good again (checked in full).
    clock.set('2026-11-23T02:00:00Z');
    expect(sessions.verify(token).memberId).toBe(42);
    expect(signatureChecks).toHaveBeenCalledTimes(3);
  });

  it('never answers a tampered token or one signed with another secret from memory', () => {
    const sessions = new SessionTokens(config, clock);
    const { token } = sessions.issue({ memberId: 7, openid: 'o-7' });
    expect(sessions.verify(token).memberId).toBe(7);
    const [header, payload, signature] = token.split('.');
    const foreignSignature = createHmac('sha256', 'another-secret-0123456789abcdef0123').update(`${header}.${payload}`).digest('base64url');
    const foreign = new SessionTokens(
      { ...config, security: { ...config.security, sessionSecret: 'another-secret-0123456789abcdef0123' } },
      clock,
    );
    const foreignToken = foreign.issue({ memberId: 7, openid: 'o-7' }).token;
    expect(foreign.verify(foreignToken).memberId).toBe(7);
    const lastChar = signature.at(-1) === 'A' ? 'B' : 'A';
    for (const forged of [
      `${header}.${payload}.${foreignSignature}`,
      `${header}.${payload}.${signature.slice(0, -1)}${lastChar}`,
      `${header}.${payload}.`,
      foreignToken,
    ]) {
      expect(codeOf(() => sessions.verify(forged))).toBe('AUTH_REQUIRED');
      expect(codeOf(() => sessions.verify(forged))).toBe('AUTH_REQUIRED');
    }
    // 2 good tokens checked once each; 4 forgeries checked every time.
    expect(signatureChecks).toHaveBeenCalledTimes(2 + 4 * 2);
    expect(sessions.verify(token).memberId).toBe(7);
    expect(signatureChecks).toHaveBeenCalledTimes(10);
  });

  it('keeps a bounded number: a token used within the last 25,000 others stays, one unused for 50,000 is checked again', () => {
    const sessions = new SessionTokens(config, clock);
    let next = 3;
    const verifyNew = (count: number) => {
      for (const end = next + count; next < end; next++) sessions.verify(sessions.issue({ memberId: next, openid: `o-${next}` }).token);
    };
    const first = sessions.issue({ memberId: 1, openid: 'o-1' }).token;
    const second = sessions.issue({ memberId: 2, openid: 'o-2' }).token;
    sessions.verify(first);
    sessions.verify(second);
    verifyNew(25_000);
    sessions.verify(first); // used again: remembered, and kept for the next 25,000
    verifyNew(25_000);
    signatureChecks.mockClear();
    expect(sessions.verify(first).memberId).toBe(1);
    expect(signatureChecks).not.toHaveBeenCalled();
    expect(sessions.verify(second).memberId).toBe(2);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    // The memory stays bounded: at most the limit of tokens, whatever the stream.
    const kept = sessions as unknown as { young: Map<string, unknown>; old: Map<string, unknown> };
    verifyNew(60_000);
    expect(kept.young.size + kept.old.size).toBeLessThanOrEqual(50_000);
  });
});
