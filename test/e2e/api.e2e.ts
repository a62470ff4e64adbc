import { checkMemberCode, issueMemberCode } from '../../server/src/members/member-code';
import { TestApi } from '../support/api-client';
import { startStack, TEST_SECRETS, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';
const codeSettings = { secret: TEST_SECRETS.MEMBER_CODE_SECRET, prefix: '66', periodSeconds: 60, graceSeconds: 15 };

/**
 * The built server process talking HTTP to the emulator process, on a fresh database: every route as a
 * mini-program, a clerk and a mischievous client would call it.
 */
describe.each(['mariadb', 'sqlite'] as const)('API end to end on %s', (database) => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;

  beforeAll(async () => {
    stack = await startStack({ database, staff: [{ user: 'clerk-wang', role: 'clerk', name: '王店员' }] });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
  });
  afterAll(() => stack?.stop());

  it('answers health and public config', async () => {
    const health = await api.call('GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', database: 'up', driver: database === 'mariadb' ? 'mysql' : 'sqljs' });
    expect((await api.call('GET', '/public-config')).body).toMatchObject({
      privacyPolicyVersion: POLICY,
      memberCodePeriodSeconds: 60,
      emulatorBaseUrl: stack.emulatorUrl,
      couponExpiringSoonDays: 3,
      brand: {
        name: '悦享会员',
        logo: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
        service: { phone: expect.any(String), hours: expect.any(String) },
        tierCards: { normal: { colors: expect.any(Array) }, diamond: { text: expect.any(String) } },
      },
    });
  });

  it('logs in silently, refuses a bad code and a reused one', async () => {
    const session = await api.login('alice');
    expect(session.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(session.member).toMatchObject({ joined: false });
    expect(session.staffRole).toBeNull();

    const bad = await api.call('POST', '/auth/login', { body: { code: 'made-up' } });
    expect([bad.status, bad.body.code]).toEqual([400, 'WECHAT_CODE_INVALID']);
    expect(bad.body.message).toMatch(/[\u4e00-\u9fa5]/);
    const reused = await api.call('POST', '/auth/login', { body: { code: session.code } });
    expect([reused.status, reused.body.code]).toEqual([400, 'WECHAT_CODE_USED']);
  });

  it('joins, refuses a second member with the same phone, shows the card', async () => {
    const alice = await api.joinedMember('alice-2', '13800138000', POLICY);
    const bob = await api.login('bob');
    const duplicate = await api.call('POST', '/members/me/join', {
      token: bob.token,
      body: { privacyAccepted: true, privacyPolicyVersion: POLICY, phoneCode: await api.phoneCode('bob', '13800138000') },
    });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 'PHONE_ALREADY_BOUND']);
    expect((await api.call('GET', '/members/me', { token: bob.token })).body.joined).toBe(false);

    const card = await api.call('GET', '/members/me/card', { token: alice.token });
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({
      member: { joined: true, phoneMasked: '138****8000' },
      tier: { code: 'normal', name: '普通会员' },
      nextTier: { code: 'silver' },
      pointsBalance: 0,
      couponCount: 0,
      remainingToNextTierFen: 200000,
    });
    expect(JSON.stringify(card.body)).not.toContain('13800138000');
  });

  it('requires consent to the current privacy policy', async () => {
    const carol = await api.login('carol');
    const answer = await api.call('POST', '/members/me/join', {
      token: carol.token,
      body: { privacyAccepted: false, privacyPolicyVersion: POLICY, phoneCode: await api.phoneCode('carol', '13700000000') },
    });
    expect([answer.status, answer.body.code]).toEqual([400, 'PRIVACY_CONSENT_REQUIRED']);
  });

  it('sets a birthday once and refuses a second change within the year', async () => {
    const dora = await api.joinedMember('dora', '13600000000', POLICY);
    const first = await api.call('PUT', '/members/me/birthday', { token: dora.token, body: { birthday: '1995-08-08' } });
    expect(first.status).toBe(200);
    expect(first.body.birthday).toBe('1995-08-08');
    expect(first.body.birthdayLockedUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const second = await api.call('PUT', '/members/me/birthday', { token: dora.token, body: { birthday: '1995-08-09' } });
    expect([second.status, second.body.code]).toEqual([409, 'BIRTHDAY_CHANGE_TOO_SOON']);
    expect((await api.call('GET', '/members/me', { token: dora.token })).body.birthday).toBe('1995-08-08');
    const invalid = await api.call('PUT', '/members/me/birthday', { token: dora.token, body: { birthday: '1995-02-30' } });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'BIRTHDAY_INVALID']);
  });

  it('lets a clerk verify a fresh member code, and refuses an expired or forged one', async () => {
    const erin = await api.joinedMember('erin', '13500000000', POLICY);
    const clerk = await api.login('clerk-wang');
    expect(clerk.staffRole).toBe('clerk');

    const code = (await api.call('GET', '/members/me/code', { token: erin.token })).body;
    expect(code.code).toMatch(/^66\d+$/);
    expect(checkMemberCode(codeSettings, code.code, new Date()).ok).toBe(true);
    const verified = await api.call('POST', '/staff/member-code/verify', { token: clerk.token, body: { code: code.code } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: erin.memberId, phoneMasked: '135****0000', tier: { code: 'normal' } });

    // A screenshot from ten minutes ago: a genuine code of an old period.
    const screenshot = issueMemberCode(codeSettings, erin.memberId, new Date(Date.now() - 10 * 60_000)).code;
    const expired = await api.call('POST', '/staff/member-code/verify', { token: clerk.token, body: { code: screenshot } });
    expect([expired.status, expired.body.code]).toEqual([410, 'MEMBER_CODE_EXPIRED']);

    const forged = code.code.slice(0, -1) + String((Number(code.code.slice(-1)) + 1) % 10);
    const refused = await api.call('POST', '/staff/member-code/verify', { token: clerk.token, body: { code: forged } });
    expect([refused.status, refused.body.code]).toEqual([400, 'MEMBER_CODE_INVALID']);
    const otherSecret = issueMemberCode({ ...codeSettings, secret: 'x'.repeat(40) }, erin.memberId, new Date()).code;
    expect((await api.call('POST', '/staff/member-code/verify', { token: clerk.token, body: { code: otherSecret } })).body.code).toBe(
      'MEMBER_CODE_INVALID',
    );
  });

  it('keeps members out of staff routes and out of each other’s data', async () => {
    const frank = await api.joinedMember('frank', '13400000000', POLICY);
    const gina = await api.joinedMember('gina', '13300000000', POLICY);
    for (const [method, path, body] of [
      ['GET', '/staff/me', undefined],
      ['POST', '/staff/member-code/verify', { code: '6600012345678901' }],
      ['GET', `/staff/members/${gina.memberId}`, undefined],
    ] as const) {
      const answer = await api.call(method, path, { token: frank.token, body });
      expect([path, answer.status, answer.body.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
    // There is no member-facing route that takes another member's id.
    const other = await api.call('GET', `/members/${gina.memberId}`, { token: frank.token });
    expect([other.status, other.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await api.call('GET', '/members/me', { token: frank.token })).body.id).toBe(frank.memberId);
  });

  it('answers 401 without a token, with a forged one, and with one signed by another key', async () => {
    const noToken = await api.call('GET', '/members/me/card');
    expect([noToken.status, noToken.body.code]).toEqual([401, 'AUTH_REQUIRED']);
    const session = await api.login('henry');
    const [header, payload] = session.token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: '1', oid: 'x', exp: 4102444800 })).toString('base64url');
    for (const token of [`${header}.${forgedPayload}.${session.token.split('.')[2]}`, 'garbage', `${header}.${payload}.`]) {
      const answer = await api.call('GET', '/members/me', { token });
      expect([answer.status, answer.body.code]).toEqual([401, 'AUTH_REQUIRED']);
    }
  });

  it('answers malformed bodies with 400 VALIDATION_FAILED and changes nothing', async () => {
    const ivy = await api.joinedMember('ivy', '13200000000', POLICY);
    const cases: Array<{ method: string; path: string; rawBody?: string; body?: unknown; headers?: Record<string, string> }> = [
      { method: 'POST', path: '/auth/login', rawBody: '{"code":' },
      { method: 'POST', path: '/auth/login', body: {} },
      { method: 'POST', path: '/auth/login', body: { code: 123 } },
      { method: 'POST', path: '/auth/login', body: { code: 'x', extra: true } },
      { method: 'PUT', path: '/members/me/birthday', body: { birthday: '20000101' } },
      { method: 'PUT', path: '/members/me/birthday', body: [] },
      { method: 'PATCH', path: '/members/me', body: {} },
      { method: 'PATCH', path: '/members/me', body: { nickname: 'x'.repeat(33) } },
      { method: 'PATCH', path: '/members/me', body: { avatarUrl: 'javascript:alert(1)' } },
      { method: 'POST', path: '/members/me/join', body: { privacyAccepted: 'yes', privacyPolicyVersion: POLICY, phoneCode: 'c' } },
      { method: 'POST', path: '/members/me/join', rawBody: 'code=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ];
    for (const c of cases) {
      const answer = await api.call(c.method, c.path, { token: ivy.token, body: c.body, rawBody: c.rawBody, headers: c.headers });
      expect([c.path, answer.status, answer.body.code]).toEqual([c.path, 400, 'VALIDATION_FAILED']);
      expect(answer.body.requestId).toBeTruthy();
    }
    const profile = (await api.call('GET', '/members/me', { token: ivy.token })).body;
    expect(profile).toMatchObject({ nickname: null, avatarUrl: null, birthday: null, joined: true });

    const staffBad = await api.call('GET', '/staff/members/abc', { token: (await api.login('clerk-wang')).token });
    expect([staffBad.status, staffBad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('updates the nickname and avatar, and echoes a request id', async () => {
    const jack = await api.joinedMember('jack', '13100000000', POLICY);
    const answer = await api.call('PATCH', '/members/me', {
      token: jack.token,
      body: { nickname: '小杰', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/a/132' },
      headers: { 'x-request-id': 'test-request-0001' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ nickname: '小杰', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/a/132' });
    expect(answer.headers.get('x-request-id')).toBe('test-request-0001');
  });
});

describe('avatar upload over HTTP (what wx.uploadFile sends)', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

  beforeAll(async () => {
    stack = await startStack({ database: 'mariadb' });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
  });
  afterAll(() => stack?.stop());

  const upload = (token: string, bytes: Buffer, field = 'file', type = 'image/png') => {
    const form = new FormData();
    form.append(field, new Blob([new Uint8Array(bytes)], { type }), 'tmp_avatar.png');
    return fetch(`${stack.serverUrl}/api/members/me/avatar`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  };

  it('stores the picture and serves it back, cacheable, at the profile’s avatarUrl', async () => {
    const member = await api.joinedMember('avatar-e2e', '13000000001', POLICY);
    const response = await upload(member.token, png);
    expect(response.status).toBe(200);
    const profile = (await response.json()) as { avatarUrl: string };
    const image = await fetch(`${stack.serverUrl}${profile.avatarUrl}`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(png);
  });

  it('answers bad uploads with clear codes', async () => {
    const member = await api.login('avatar-e2e-2');
    const notImage = await upload(member.token, Buffer.from('hello'), 'file', 'image/png');
    expect([notImage.status, ((await notImage.json()) as { code: string }).code]).toEqual([400, 'AVATAR_INVALID']);
    const tooBig = await upload(member.token, Buffer.concat([png, Buffer.alloc(400 * 1024)]));
    expect([tooBig.status, ((await tooBig.json()) as { code: string }).code]).toEqual([413, 'AVATAR_TOO_LARGE']);
    const wrongField = await upload(member.token, png, 'photo');
    expect([wrongField.status, ((await wrongField.json()) as { code: string }).code]).toEqual([400, 'VALIDATION_FAILED']);
    const json = await api.call('POST', '/members/me/avatar', { token: member.token, body: { file: 'x' } });
    expect([json.status, json.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const anonymous = await upload('', png);
    expect(anonymous.status).toBe(401);
    const missing = await api.call('GET', `/media/avatars/${'0'.repeat(64)}`);
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
  });
});
