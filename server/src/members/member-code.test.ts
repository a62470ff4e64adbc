import { checkMemberCode, issueMemberCode, type MemberCodeSettings } from './member-code';

const settings: MemberCodeSettings = { secret: 'k'.repeat(32), prefix: '66', periodSeconds: 60, graceSeconds: 15 };
const at = (iso: string) => new Date(iso);

describe('member code', () => {
  const issuedAt = at('2026-11-23T10:00:10Z');
  const issued = issueMemberCode(settings, 12345, issuedAt);

  it('is digits only: prefix, counter, member id and an 8-digit MAC', () => {
    expect(issued.code).toMatch(/^66\d{3}12345\d{8}$/);
    expect(issued.expiresAt.toISOString()).toBe('2026-11-23T10:01:15.000Z');
    expect(issued.refreshInSeconds).toBe(50);
  });

  it('verifies within its period and grace, and says "expired" after', () => {
    expect(checkMemberCode(settings, issued.code, at('2026-11-23T10:00:59Z'))).toEqual({ ok: true, memberId: 12345 });
    expect(checkMemberCode(settings, issued.code, at('2026-11-23T10:01:14.999Z'))).toEqual({ ok: true, memberId: 12345 });
    expect(checkMemberCode(settings, issued.code, at('2026-11-23T10:01:15Z'))).toEqual({ ok: false, reason: 'EXPIRED' });
    expect(checkMemberCode(settings, issued.code, at('2026-11-23T20:00:00Z'))).toEqual({ ok: false, reason: 'EXPIRED' });
  });

  it('accepts what a clerk types with spaces or dashes', () => {
    const spaced = issued.code.replace(/(\d{4})/g, '$1 ').trim();
    expect(checkMemberCode(settings, spaced, at('2026-11-23T10:00:30Z'))).toEqual({ ok: true, memberId: 12345 });
  });

  it('tolerates a verifying instance whose clock is a few seconds behind the issuer', () => {
    const atBoundary = issueMemberCode(settings, 7, at('2026-11-23T10:02:00.500Z'));
    expect(checkMemberCode(settings, atBoundary.code, at('2026-11-23T10:01:58Z'))).toEqual({ ok: true, memberId: 7 });
  });

  it.each([
    ['another member id with the same MAC', (c: string) => c.replace('12345', '12346')],
    ['a changed MAC digit', (c: string) => c.slice(0, -1) + String((Number(c.slice(-1)) + 1) % 10)],
    ['another prefix', (c: string) => '77' + c.slice(2)],
    ['letters', (c: string) => c.slice(0, -1) + 'A'],
    ['too short', () => '6612312345'],
    ['a member id with a leading zero', (c: string) => c.replace('12345', '012345')],
    ['empty', () => ''],
  ])('refuses a forged code: %s', (_label, forge) => {
    expect(checkMemberCode(settings, forge(issued.code), at('2026-11-23T10:00:30Z'))).toEqual({ ok: false, reason: 'INVALID' });
  });

  it('refuses a code signed with another secret', () => {
    const foreign = issueMemberCode({ ...settings, secret: 'x'.repeat(32) }, 12345, issuedAt);
    expect(checkMemberCode(settings, foreign.code, at('2026-11-23T10:00:30Z'))).toEqual({ ok: false, reason: 'INVALID' });
  });

  it('rotates every period', () => {
    const next = issueMemberCode(settings, 12345, at('2026-11-23T10:01:00Z'));
    expect(next.code).not.toBe(issued.code);
    expect(issueMemberCode(settings, 12345, at('2026-11-23T10:00:59Z')).code).toBe(issued.code);
  });
});
