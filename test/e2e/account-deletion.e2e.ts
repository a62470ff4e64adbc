import { createConnection } from 'mysql2/promise';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
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
    stack = await startStack({ database: 'mariadb', extraInstances: 1, staff: [{ user: 'deletion-admin', role: 'admin' }] });
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

  it('the flash claim, whose guard leaves the session check to its flush, refuses a deleted account on every path', async () => {
    const a = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await a.login('deletion-admin')).token;
    const template = async (name: string, totalStock: number, perMemberLimit: number) => {
      const created = await a.call('POST', '/admin/coupon-templates', {
        token: admin,
        body: cashOffTemplateBody({ name, totalStock, perMemberLimit }),
      });
      expect(created).toMatchObject({ status: 201 });
      return created.body.id as number;
    };
    const open = await template('满50减10', 10, 3);
    const scarce = await template('限量券', 1, 1);
    const { token, memberId } = await a.joinedMember('leaving-zhou', '13700002222', POLICY);
    const other = await a.joinedMember('staying-wu', '13700003333', POLICY);
    const claim = (who: string, templateId: number, key: string) =>
      a.call('POST', `/coupons/templates/${templateId}/claim`, { token: who, body: { idempotencyKey: key } });

    const mine = await claim(token, open, 'zhou-first-tap');
    expect(mine).toMatchObject({ status: 200, body: { templateId: open } });
    // The scarce one sells out to somebody else; this instance then answers it from memory.
    expect((await claim(other.token, scarce, 'wu-scarce-tap')).status).toBe(200);
    expect(await claim(token, scarce, 'zhou-scarce-tap')).toMatchObject({ status: 409, body: { code: 'COUPON_OUT_OF_STOCK' } });

    expect(await a.call('POST', '/members/me/deletion', { token, body: { confirm: true } })).toMatchObject({ status: 200 });
    const db = await createConnection({ uri: stack.databaseUrl! });
    const couponsOf = async () => (await db.query('SELECT id FROM coupon WHERE member_id = ? ORDER BY id', [memberId]))[0];
    const couponsBefore = await couponsOf();

    const revoked = { status: 401, body: { code: 'SESSION_REVOKED' } };
    expect(await claim(token, open, 'zhou-first-tap')).toMatchObject(revoked); // a retry does not get the coupon back
    expect(await claim(token, open, 'zhou-after-deletion')).toMatchObject(revoked);
    expect(await claim(token, scarce, 'zhou-scarce-again')).toMatchObject(revoked); // the sold-out memory
    expect(await claim(token, 99_999_999, 'zhou-no-such-template')).toMatchObject(revoked);
    expect(await couponsOf()).toEqual(couponsBefore);
    await db.end();
    // Nobody else is affected.
    expect((await claim(other.token, open, 'wu-open-tap')).status).toBe(200);
  });
});
