import { TestApi } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

/**
 * The server's logs, at the production level (info), carry request ids and member ids but never personal
 * data or secrets: no phone number, no WeChat code, no session token, no openid.
 */
describe('server logs', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  beforeAll(async () => {
    stack = await startStack({ database: 'mariadb', staff: [{ user: 'log-clerk', role: 'clerk' }], env: { LOG_LEVEL: 'info' } });
  });
  afterAll(() => stack?.stop());

  it('record each request with its id and no personal data', async () => {
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const { code } = await api.dev<{ code: string }>('/dev/login-code', { user: 'log-shopper' });
    const login = await api.call('POST', '/auth/login', { body: { code }, headers: { 'x-request-id': 'log-test-request-1' } });
    const phoneCode = await api.phoneCode('log-shopper', '13811112222');
    const join = await api.call('POST', '/members/me/join', {
      token: login.body.token,
      body: { privacyAccepted: true, privacyPolicyVersion: '2026-11', phoneCode },
    });
    expect(join.status).toBe(200);
    const memberCode = (await api.call('GET', '/members/me/code', { token: login.body.token })).body.code;
    const clerk = await api.login('log-clerk');
    expect((await api.call('POST', '/staff/member-code/verify', { token: clerk.token, body: { code: memberCode } })).status).toBe(200);
    await api.call('GET', `/members/me/card?phone=13811112222`, { token: login.body.token });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last log lines flush

    const logs = stack.serverOutput();
    expect(logs).toContain('log-test-request-1');
    expect(logs).toMatch(/"memberId":\d+/);
    for (const secret of [
      '13811112222',
      '1381111',
      code,
      phoneCode,
      login.body.token,
      clerk.token,
      memberCode,
      stack.openidOf('log-shopper'),
    ]) {
      expect({ leaked: secret, found: logs.includes(secret) }).toEqual({ leaked: secret, found: false });
    }
  });
});
