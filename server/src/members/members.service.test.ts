import { AuthService } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { TEST_DATABASES } from '../testing/databases';
import { mintLoginCode, mintPhoneCode } from '../testing/emulator';
import { startTestApp, type TestApp } from '../testing/test-app';
import { expectInvariants } from '../testing/invariants';
import { MemberCardService } from './member-card.service';
import { Member } from './member.entity';
import { MembersService } from './members.service';
import { PhoneVault } from './phone-vault';

const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);

describe.each(TEST_DATABASES)('members on %s', (kind) => {
  let t: TestApp;
  let auth: AuthService;
  let members: MembersService;
  let cards: MemberCardService;
  let userSeq = 0;

  beforeAll(async () => {
    t = await startTestApp(kind);
    auth = t.app.get(AuthService);
    members = t.app.get(MembersService);
    cards = t.app.get(MemberCardService);
  });
  afterAll(() => t?.close());
  // Issue 14: every module's invariants hold after every test (one checker for all).
  afterEach(() => expectInvariants(t.db.dataSource, { emulatorUrl: t.emulator.url }));

  async function login(user = `user-${++userSeq}`) {
    const { code } = await mintLoginCode(t.emulator.url, user);
    return { user, ...(await auth.login(code)) };
  }

  async function joined(phone: string) {
    const session = await login();
    const profile = await members.join(
      session.member.id,
      {
        privacyAccepted: true,
        privacyPolicyVersion: t.config.privacy.policyVersion,
        phoneCode: await mintPhoneCode(t.emulator.url, session.user, phone),
      },
      (await members.getMember(session.member.id)).openid,
    );
    return { ...session, profile };
  }

  it('creates the member on first login and finds the same one afterwards, even for parallel first logins', async () => {
    const codes = await Promise.all(Array.from({ length: 8 }, () => mintLoginCode(t.emulator.url, 'twin')));
    const sessions = await Promise.all(codes.map(({ code }) => auth.login(code)));
    expect(new Set(sessions.map((s) => s.member.id)).size).toBe(1);
    expect(await t.db.dataSource.getRepository(Member).countBy({ openid: codes[0].openid })).toBe(1);
    expect(sessions[0].member).toMatchObject({ joined: false, phoneMasked: null, birthday: null });
    expect(sessions[0].staffRole).toBeNull();
  });

  it('maps WeChat login errors to stable codes', async () => {
    expect(codeOf(await auth.login('not-a-code').catch((e) => e))).toBe('WECHAT_CODE_INVALID');
    const { code } = await mintLoginCode(t.emulator.url, 'reuser');
    await auth.login(code);
    expect(codeOf(await auth.login(code).catch((e) => e))).toBe('WECHAT_CODE_USED');
    expect(codeOf(await auth.login('risk_123').catch((e) => e))).toBe('WECHAT_USER_BLOCKED');
  });

  it('joins with consent and a phone: stored encrypted and hashed, shown masked', async () => {
    const { profile, member } = await joined('13800138000');
    expect(profile).toMatchObject({ joined: true, phoneMasked: '138****8000' });
    const row = await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: member.id });
    expect(row.phoneCipher).not.toContain('13800138000');
    expect(t.app.get(PhoneVault).open(row.phoneCipher!)).toBe('+86 13800138000');
    expect(row.privacyPolicyVersion).toBe(t.config.privacy.policyVersion);
    expect(row.privacyAcceptedAt).toEqual(t.clock.now());
  });

  it('refuses a join without consent or with a stale policy version, and changes nothing', async () => {
    const session = await login();
    const openid = (await members.getMember(session.member.id)).openid;
    const phoneCode = await mintPhoneCode(t.emulator.url, session.user, '13800000001');
    for (const request of [
      { privacyAccepted: false as unknown as true, privacyPolicyVersion: t.config.privacy.policyVersion, phoneCode },
      { privacyAccepted: true as const, privacyPolicyVersion: '2020-01', phoneCode },
    ]) {
      expect(codeOf(await members.join(session.member.id, request, openid).catch((e) => e))).toBe('PRIVACY_CONSENT_REQUIRED');
    }
    expect((await members.getMember(session.member.id)).joinedAt).toBeNull();
  });

  it('binds a phone number to one member only, also when two join with it at once', async () => {
    await joined('13900000000');
    const second = await joined('13900000002');
    expect(second.profile.joined).toBe(true);
    const late = await login();
    const lateOpenid = (await members.getMember(late.member.id)).openid;
    const error = await members
      .join(
        late.member.id,
        {
          privacyAccepted: true,
          privacyPolicyVersion: t.config.privacy.policyVersion,
          phoneCode: await mintPhoneCode(t.emulator.url, late.user, '13900000000'),
        },
        lateOpenid,
      )
      .catch((e) => e);
    expect(codeOf(error)).toBe('PHONE_ALREADY_BOUND');
    expect((await members.getMember(late.member.id)).joinedAt).toBeNull();

    const racers = await Promise.all([login(), login(), login()]);
    const results = await Promise.allSettled(
      racers.map(async (r) =>
        members.join(
          r.member.id,
          {
            privacyAccepted: true,
            privacyPolicyVersion: t.config.privacy.policyVersion,
            phoneCode: await mintPhoneCode(t.emulator.url, r.user, '13700000007'),
          },
          (await members.getMember(r.member.id)).openid,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason))).toEqual([
      'PHONE_ALREADY_BOUND',
      'PHONE_ALREADY_BOUND',
    ]);
  });

  it('a join resent while the first is still running (one phone code) answers joined, not PHONE_CODE_INVALID', async () => {
    const session = await login();
    const openid = (await members.getMember(session.member.id)).openid;
    const request = {
      privacyAccepted: true as const,
      privacyPolicyVersion: t.config.privacy.policyVersion,
      phoneCode: await mintPhoneCode(t.emulator.url, session.user, '13600000077'),
    };
    // The first exchange waits at WeChat; the resend's is answered first, spends the code and joins.
    await fetch(`${t.emulator.url}/dev/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'getuserphonenumber', delayMs: 600, times: 1 }),
    });
    const first = members.join(session.member.id, request, openid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const resent = await members.join(session.member.id, request, openid);
    expect(resent).toMatchObject({ joined: true, phoneMasked: '136****0077' });
    expect(await first).toEqual(resent);
  });

  it('treats joining again as a no-op success without spending a phone code', async () => {
    const { member, profile } = await joined('13600000000');
    const openid = (await members.getMember(member.id)).openid;
    const again = await members.join(
      member.id,
      { privacyAccepted: true, privacyPolicyVersion: t.config.privacy.policyVersion, phoneCode: 'used-or-not' },
      openid,
    );
    expect(again).toEqual(profile);
  });

  it('rejects an invalid phone code as PHONE_CODE_INVALID', async () => {
    const session = await login();
    const openid = (await members.getMember(session.member.id)).openid;
    const error = await members
      .join(session.member.id, { privacyAccepted: true, privacyPolicyVersion: t.config.privacy.policyVersion, phoneCode: 'bogus' }, openid)
      .catch((e) => e);
    expect(codeOf(error)).toBe('PHONE_CODE_INVALID');
  });

  it('lets a member set a birthday once a year, in the business calendar', async () => {
    const { member } = await joined('13500000000');
    // 2026-11-23 02:00 UTC is 10:00 in Shanghai.
    const first = await members.setBirthday(member.id, '1990-05-20');
    expect(first).toMatchObject({ birthday: '1990-05-20', birthdayLockedUntil: '2027-11-23' });
    expect(await members.setBirthday(member.id, '1990-05-20')).toMatchObject({ birthday: '1990-05-20' });
    expect(codeOf(await members.setBirthday(member.id, '1990-05-21').catch((e) => e))).toBe('BIRTHDAY_CHANGE_TOO_SOON');
    expect(codeOf(await members.setBirthday(member.id, '1990-02-30').catch((e) => e))).toBe('BIRTHDAY_INVALID');

    // 2027-11-22 16:00 UTC is already 2027-11-23 00:00 in Shanghai: the year is over there.
    t.clock.set('2027-11-22T15:59:59Z');
    expect(codeOf(await members.setBirthday(member.id, '1990-05-21').catch((e) => e))).toBe('BIRTHDAY_CHANGE_TOO_SOON');
    t.clock.set('2027-11-22T16:00:00Z');
    expect(await members.setBirthday(member.id, '1990-05-21')).toMatchObject({ birthday: '1990-05-21', birthdayLockedUntil: '2028-11-23' });
    const row = await members.getMember(member.id);
    expect([row.birthdayMonth, row.birthdayDay]).toEqual([5, 21]);
    t.clock.set('2026-11-23T02:00:00Z');
  });

  it('lets only one of two racing birthday changes through', async () => {
    const { member } = await joined('13500000001');
    const results = await Promise.allSettled([members.setBirthday(member.id, '1991-01-01'), members.setBirthday(member.id, '1992-02-02')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(codeOf((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toBe('BIRTHDAY_CHANGE_TOO_SOON');
  });

  it('refuses a birthday before joining', async () => {
    const session = await login();
    expect(codeOf(await members.setBirthday(session.member.id, '1990-01-01').catch((e) => e))).toBe('MEMBER_NOT_JOINED');
  });

  it('shows the card of a new member: entry tier, no points, progress to silver', async () => {
    const { member } = await joined('13400000000');
    const card = await cards.getCard(member.id);
    expect(card).toMatchObject({
      tier: { code: 'normal', name: '普通会员' },
      nextTier: { code: 'silver', minSpendFen: 200000 },
      spendFen: 0,
      remainingToNextTierFen: 200000,
      progressPercent: 0,
      pointsBalance: 0,
      couponCount: 0,
      lifecycleStatus: 'new',
    });
  });

  it('issues a member code a clerk can verify until it expires', async () => {
    const { member } = await joined('13300000000');
    const issued = await cards.issueCode(member.id);
    expect((await cards.verifyCode(issued.code)).id).toBe(member.id);
    t.clock.advance(t.config.memberCode.periodSeconds + t.config.memberCode.graceSeconds + 1);
    expect(codeOf(await cards.verifyCode(issued.code).catch((e) => e))).toBe('MEMBER_CODE_EXPIRED');
    expect(codeOf(await cards.verifyCode('66000999912345678').catch((e) => e))).toBe('MEMBER_CODE_INVALID');
    const notJoined = await login();
    expect(codeOf(await cards.issueCode(notJoined.member.id).catch((e) => e))).toBe('MEMBER_NOT_JOINED');
  });
});
