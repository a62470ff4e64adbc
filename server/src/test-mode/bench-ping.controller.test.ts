import { SessionTokens } from '../auth/session';
import { listenLocally, startTestApp, type TestApp } from '../testing/test-app';

/** The card bench's bare authenticated route: test mode only, the member JWT guard, the caller's own id and nothing else. */
describe.each([
  ['test', 200],
  ['development', 404],
  ['production', 404],
] as const)('GET /api/test/ping in %s mode', (mode, expected) => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { NODE_ENV: mode });
    base = await listenLocally(t.app);
  });
  afterAll(() => t?.close());

  const ping = (token?: string) => fetch(`${base}/api/test/ping`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it(expected === 200 ? "answers the session's own member id, and nothing without a valid session" : 'is not there', async () => {
    const { token } = t.app.get(SessionTokens).issue({ memberId: 4242, openid: 'o-bench' });
    const answer = await ping(token);
    expect(answer.status).toBe(expected);
    if (expected === 200) {
      expect(await answer.json()).toEqual({ memberId: 4242 });
      expect((await ping()).status).toBe(401);
      expect((await ping(`${token}x`)).status).toBe(401);
    } else {
      expect(await answer.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});
