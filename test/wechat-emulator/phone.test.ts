import { APP, json, APP2, BASE_TIME, type Harness, RID, startHarness } from './harness';
import { openidFor } from './ids';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterEach(() => h.state.reset());
afterAll(() => h.close());

async function phoneCode(user: string, phoneNumber = '13800138000', extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.post('/dev/phone-code', { user, phoneNumber, ...extra });
  expect(res.code).toEqual(expect.any(String));
  return res.code;
}

async function exchange(body: Record<string, unknown>, app = APP): Promise<any> {
  const token = await h.token(app);
  return h.post(`/wxa/business/getuserphonenumber?access_token=${token}`, body);
}

describe('POST /wxa/business/getuserphonenumber', () => {
  it('returns the number in WeChat’s shape', async () => {
    const code = await phoneCode('alice', '13800138000', { countryCodeAs: 'string' });
    await h.advance(10);
    expect(await exchange({ code })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
        watermark: { timestamp: Math.floor(BASE_TIME / 1000) + 10, appid: APP.appid },
      },
    });
  });

  it('sends countryCode as a string or as a number, as asked, and either at random otherwise', async () => {
    const raw = async (code: string) => {
      const token = await h.token();
      const res = await fetch(`${h.url}/wxa/business/getuserphonenumber?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify({ code }),
      });
      return /"countryCode":("86"|86)[,}]/.exec(await res.text())?.[1];
    };
    expect(await raw(await phoneCode('alice', '13800138000', { countryCodeAs: 'string' }))).toBe('"86"');
    expect(await raw(await phoneCode('alice', '13800138000', { countryCodeAs: 'number' }))).toBe('86');
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await raw(await phoneCode('alice')));
    expect(seen).toEqual(new Set(['"86"', '86']));
    expect((await h.post('/dev/phone-code', { user: 'alice', phoneNumber: '13800138000', countryCodeAs: 'text' })).error).toMatch(
      /countryCodeAs/,
    );
  });

  it('prefixes numbers outside the mainland with their country code', async () => {
    const code = await phoneCode('bob', '4155550100', { countryCode: '1', countryCodeAs: 'string' });
    const res = await exchange({ code });
    expect(res.phone_info).toMatchObject({ phoneNumber: '+1 4155550100', purePhoneNumber: '4155550100', countryCode: '1' });
  });

  it('accepts a code once (40029 the second time)', async () => {
    const code = await phoneCode('alice');
    expect((await exchange({ code })).errcode).toBe(0);
    const again = await exchange({ code });
    expect(again.errcode).toBe(40029);
    expect(again.errmsg).toMatch(RID);
  });

  it('expires codes after 300 s', async () => {
    const young = await phoneCode('alice');
    const old = await phoneCode('bob');
    await h.advance(299);
    expect((await exchange({ code: young })).errcode).toBe(0);
    await h.advance(1);
    expect((await exchange({ code: old })).errcode).toBe(40029);
  });

  it('checks the optional openid against the user who tapped the button', async () => {
    const code = await phoneCode('alice');
    expect((await exchange({ code, openid: openidFor(APP.appid, 'bob') })).errcode).toBe(40029);
    // a mismatch does not spend the code
    expect((await exchange({ code, openid: openidFor(APP.appid, 'alice') })).errcode).toBe(0);
  });

  it('rejects unknown codes, another app’s codes, busy_ codes and missing codes', async () => {
    expect((await exchange({ code: 'deadbeef' })).errcode).toBe(40029);
    const code = await phoneCode('alice');
    expect((await exchange({ code }, APP2)).errcode).toBe(40029);
    expect((await exchange({ code: 'busy_1' })).errcode).toBe(-1);
    expect((await exchange({})).errcode).toBe(41008);
  });

  it('is POST JSON only', async () => {
    const token = await h.token();
    expect((await h.get('/wxa/business/getuserphonenumber', { access_token: token })).errcode).toBe(43002);
    expect((await h.post(`/wxa/business/getuserphonenumber?access_token=${token}`, 'code=1')).errcode).toBe(47001);
  });
});

describe('POST /dev/phone-code', () => {
  it.each([
    ['10 digits', { phoneNumber: '1380013800' }],
    ['not starting with 1', { phoneNumber: '23800138000' }],
    ['with +86', { phoneNumber: '+8613800138000' }],
    ['a number', { phoneNumber: 13800138000 }],
    ['no user', { user: '' }],
    ['unknown appid', { appid: 'wx9999999999999999' }],
  ])('answers HTTP 400 for %s', async (_name, override) => {
    const res = await fetch(`${h.url}/dev/phone-code`, {
      method: 'POST',
      body: JSON.stringify({ user: 'alice', phoneNumber: '13800138000', ...override }),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toEqual(expect.any(String));
  });
});
