import { ManualClock } from '../common/clock';
import { emulatorStats, mintLoginCode, mintPhoneCode, openidFor, startEmulator, TEST_APP, type RunningEmulator } from '../testing/emulator';
import { countryCodeOf, WechatClient } from './wechat.client';
import { WechatApiError, WechatUnavailableError } from './wechat.errors';

describe('WechatClient against the WeChat emulator', () => {
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
  let emulator: RunningEmulator;
  let client: WechatClient;

  beforeAll(async () => {
    // One clock for both sides, so token expiry is the same instant for the emulator and our cache.
    emulator = await startEmulator({ apps: [TEST_APP], now: () => clock.now().getTime() });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    await fetch(`${emulator.url}/dev/reset`, { method: 'POST' });
    client = new WechatClient({ ...TEST_APP, apiBaseUrl: emulator.url, tokenRefreshAheadSeconds: 300, requestTimeoutMs: 2000 }, clock);
  });

  it('exchanges a login code for the openid and keeps the session key', async () => {
    const { code } = await mintLoginCode(emulator.url, 'alice');
    const session = await client.code2Session(code);
    expect(session.openid).toBe(openidFor(TEST_APP.appid, 'alice'));
    expect(session.sessionKey).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(session.unionid).toBeNull();
  });

  it('reports an unknown code as 40029 and a reused one as 40163', async () => {
    await expect(client.code2Session('no-such-code')).rejects.toMatchObject({ errcode: 40029 });
    const { code } = await mintLoginCode(emulator.url, 'bob');
    await client.code2Session(code);
    const reused = await client.code2Session(code).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(WechatApiError);
    expect((reused as WechatApiError).errcode).toBe(40163);
  });

  it('reports an expired login code (older than 5 minutes) as 40029', async () => {
    const { code } = await mintLoginCode(emulator.url, 'carol');
    clock.advance(301);
    await expect(client.code2Session(code)).rejects.toMatchObject({ errcode: 40029 });
  });

  it('fetches one access token for 50 concurrent calls and exchanges phone codes with it', async () => {
    const codes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => mintPhoneCode(emulator.url, `p${i}`, `1380013${String(i).padStart(4, '0')}`)),
    );
    const phones = await Promise.all(codes.map((code) => client.getPhoneNumber(code)));
    expect(phones[7]).toEqual({ purePhoneNumber: '13800130007', countryCode: '86' });
    expect((await emulatorStats(emulator.url)).stable_token).toBe(1);
  });

  it('refreshes the token ahead of expiry, and again after WeChat rejects it', async () => {
    await client.getPhoneNumber(await mintPhoneCode(emulator.url, 'dan', '13900000001'));
    clock.advance(7200 - 299); // inside the refresh-ahead window
    await client.getPhoneNumber(await mintPhoneCode(emulator.url, 'dan', '13900000001'));
    expect((await emulatorStats(emulator.url)).stable_token).toBe(2);

    // Someone force-refreshes the stable token: ours becomes invalid (40001) and must be replaced once.
    clock.advance(60);
    const forced = await fetch(`${emulator.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: TEST_APP.appid, secret: TEST_APP.secret, force_refresh: true }),
    });
    expect(((await forced.json()) as { access_token?: string }).access_token).toBeDefined();
    const phone = await client.getPhoneNumber(await mintPhoneCode(emulator.url, 'dan', '13900000001'));
    expect(phone.purePhoneNumber).toBe('13900000001');
    expect((await emulatorStats(emulator.url)).stable_token).toBe(4);
  });

  it('fetches once per refresh window, even when stable_token hands back the token it already has', async () => {
    // An instance that starts mid-life gets whole seconds left (6199 of 6199.5), so its window opens half a
    // second before WeChat rolls the token over: WeChat still answers the same token with 300 s left.
    await client.tokens.getToken();
    clock.advance(1000.5);
    const late = new WechatClient({ ...TEST_APP, apiBaseUrl: emulator.url, tokenRefreshAheadSeconds: 300, requestTimeoutMs: 2000 }, clock);
    const held = await late.tokens.getToken();
    clock.advance(6199 - 300);
    for (let i = 0; i < 20; i++) expect(await late.tokens.getToken()).toBe(held);
    expect((await emulatorStats(emulator.url)).stable_token).toBe(3);
    clock.advance(1); // WeChat has rolled over by now; ours still works to its end, and is not fetched again
    expect(await late.getPhoneNumber(await mintPhoneCode(emulator.url, 'gus', '13900000002'))).toMatchObject({
      purePhoneNumber: '13900000002',
    });
    expect((await emulatorStats(emulator.url)).stable_token).toBe(3);
    clock.advance(299); // ours ran out: one fetch for the new token
    const next = await Promise.all(Array.from({ length: 20 }, () => late.tokens.getToken()));
    expect(new Set(next).size).toBe(1);
    expect(next[0]).not.toBe(held);
    expect((await emulatorStats(emulator.url)).stable_token).toBe(4);
  });

  it('refuses a refresh-ahead longer than stable_token’s 300 s rollover', () => {
    expect(
      () => new WechatClient({ ...TEST_APP, apiBaseUrl: emulator.url, tokenRefreshAheadSeconds: 3600, requestTimeoutMs: 2000 }, clock),
    ).toThrow(/refreshAheadSeconds must be 0-300/);
  });

  it('reads countryCode whether WeChat sends it as a number or as a string', async () => {
    for (const countryCodeAs of ['number', 'string', undefined]) {
      const response = await fetch(`${emulator.url}/dev/phone-code`, {
        method: 'POST',
        body: JSON.stringify({ appid: TEST_APP.appid, user: 'hal', phoneNumber: '13900000003', countryCodeAs }),
      });
      const { code } = (await response.json()) as { code: string };
      expect(await client.getPhoneNumber(code)).toEqual({ purePhoneNumber: '13900000003', countryCode: '86' });
    }
    expect([86, '86', ' +86 ', 1, '852', undefined, null, ''].map(countryCodeOf)).toEqual(['86', '86', '86', '1', '852', '86', '86', '86']);
    for (const odd of ['abc', 0, 86.5, '08', '12345', {}, true]) expect(() => countryCodeOf(odd)).toThrow(WechatApiError);
  });

  it('rejects a used phone code with 40029', async () => {
    const code = await mintPhoneCode(emulator.url, 'erin', '13700000000');
    await client.getPhoneNumber(code);
    await expect(client.getPhoneNumber(code)).rejects.toMatchObject({ errcode: 40029 });
  });

  it('turns an unreachable WeChat and an HTTP 5xx into WechatUnavailableError', async () => {
    const offline = new WechatClient(
      { ...TEST_APP, apiBaseUrl: 'http://127.0.0.1:9', tokenRefreshAheadSeconds: 300, requestTimeoutMs: 500 },
      clock,
    );
    await expect(offline.code2Session('x')).rejects.toBeInstanceOf(WechatUnavailableError);
    await fetch(`${emulator.url}/dev/faults`, {
      method: 'POST',
      body: JSON.stringify({ endpoint: 'jscode2session', httpStatus: 502, times: 1 }),
    });
    await expect(client.code2Session('anything')).rejects.toBeInstanceOf(WechatUnavailableError);
  });
});
