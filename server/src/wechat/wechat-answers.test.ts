// What the member sees when WeChat answers the way it really does: a login refused for the app's daily quota
// (45009), and a phone number whose countryCode comes as a number or as a string. Through the real app, on
// both databases.
import { AuthService } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { Member } from '../members/member.entity';
import { MembersService } from '../members/members.service';
import { PhoneVault } from '../members/phone-vault';
import { TEST_DATABASES } from '../testing/databases';
import { mintLoginCode, TEST_APP } from '../testing/emulator';
import { startTestApp, type TestApp } from '../testing/test-app';

const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);

describe.each(TEST_DATABASES)('WeChat’s answers as the member meets them, on %s', (kind) => {
  let t: TestApp;
  let auth: AuthService;
  let members: MembersService;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp(kind, { LOG_LEVEL: 'silent' });
    auth = t.app.get(AuthService);
    members = t.app.get(MembersService);
  });
  afterAll(() => t?.close());

  const devPost = async (path: string, body: unknown): Promise<any> =>
    (
      await fetch(`${t.emulator.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json();

  it('turns jscode2session’s 45009 (daily quota) into WECHAT_RATE_LIMITED, like 45011, and creates no member', async () => {
    const before = await t.db.dataSource.getRepository(Member).count();
    const error = await auth.login('quota_1').catch((e: unknown) => e);
    expect(codeOf(error)).toBe('WECHAT_RATE_LIMITED');
    expect((error as DomainError).context).toEqual({ errcode: 45009 });
    await devPost('/dev/faults', { endpoint: 'jscode2session', errcode: 45009 });
    const { code } = await mintLoginCode(t.emulator.url, 'quota-user');
    expect(codeOf(await auth.login(code).catch((e: unknown) => e))).toBe('WECHAT_RATE_LIMITED');
    expect(await t.db.dataSource.getRepository(Member).count()).toBe(before);
    // The fault spent, the same code still works: nothing was used up by the refusal.
    expect((await auth.login(code)).member.joined).toBe(false);
  });

  it.each(['number', 'string'] as const)('joins with the same phone whether WeChat sends countryCode as a %s', async (countryCodeAs) => {
    const user = `cc-${kind}-${countryCodeAs}-${++seq}`;
    const session = await auth.login((await mintLoginCode(t.emulator.url, user)).code);
    const phoneNumber = countryCodeAs === 'number' ? '13800000011' : '13800000012';
    const { code: phoneCode } = await devPost('/dev/phone-code', { appid: TEST_APP.appid, user, phoneNumber, countryCodeAs });
    const openid = (await members.getMember(session.member.id)).openid;
    const profile = await members.join(
      session.member.id,
      { privacyAccepted: true, privacyPolicyVersion: t.config.privacy.policyVersion, phoneCode },
      openid,
    );
    expect(profile).toMatchObject({ joined: true, phoneMasked: `${phoneNumber.slice(0, 3)}****${phoneNumber.slice(-4)}` });
    const row = await t.db.dataSource.getRepository(Member).findOneByOrFail({ id: session.member.id });
    expect(t.app.get(PhoneVault).open(row.phoneCipher!)).toBe(`+86 ${phoneNumber}`);
    expect(row.phoneHash).toBe(t.app.get(PhoneVault).lookupHash(`+86 ${phoneNumber}`));
  });
});
