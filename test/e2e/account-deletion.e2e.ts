import { TestApi } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';

/**
 * 注销 over HTTP on two server processes sharing one database: a member's token, already verified (and cached)
 * by both instances, is refused by both once the account is deleted through one of them; a replayed deletion
 * changes nothing; the same WeChat user who comes back is a new visitor.
 */
describe('account deletion across two instances', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);

  beforeAll(async () => {
    stack = await startStack({ database: 'mariadb', extraInstances: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses the replayed token everywhere, and the returning user starts from nothing', async () => {
    const a = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const b = new TestApi(stack.extraServerUrls[0], stack.emulatorUrl, stack.appid);
    const { token, memberId } = await a.joinedMember('leaving-lin', '13700001111', POLICY);
    expect((await a.call('PATCH', '/members/me', { token, body: { nickname: '林小姐' } })).status).toBe(200);
    // Both instances have verified the token (and keep it in their caches).
    expect((await a.call('GET', '/members/me', { token })).body).toMatchObject({ id: memberId, nickname: '林小姐' });
    expect((await b.call('GET', '/members/me/card', { token })).status).toBe(200);

    const notConfirmed = await a.call('POST', '/members/me/deletion', { token, body: {} });
    expect(notConfirmed).toMatchObject({ status: 400, body: { code: 'ACCOUNT_DELETE_NOT_CONFIRMED' } });

    const deleted = await a.call('POST', '/members/me/deletion', { token, body: { confirm: true } });
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });

    for (const api of [a, b]) {
      expect(await api.call('GET', '/members/me', { token })).toMatchObject({ status: 401, body: { code: 'SESSION_REVOKED' } });
      expect(await api.call('PATCH', '/members/me', { token, body: { nickname: '回来' } })).toMatchObject({ status: 401 });
      expect(await api.call('GET', '/members/me/code', { token })).toMatchObject({ status: 401, body: { code: 'SESSION_REVOKED' } });
      // The deletion replayed with the old token: refused, harmless.
      expect(await api.call('POST', '/members/me/deletion', { token, body: { confirm: true } })).toMatchObject({ status: 401 });
    }

    const back = await b.login('leaving-lin');
    expect(back.member.id).not.toBe(memberId);
    expect(back.member).toMatchObject({ joined: false, nickname: null, phoneMasked: null, birthday: null, avatarUrl: null });
    expect((await b.call('GET', '/members/me', { token: back.token })).status).toBe(200);
  });
});
