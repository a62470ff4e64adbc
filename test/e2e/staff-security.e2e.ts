import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';

/** Issue 14, points 5-7 over real HTTP: staff bound to stores, audit, guessing and flood limits, input and headers. */
describe('staff security end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let clerk: string;
  let clerk2: string;
  let admin: string;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'sec-till', role: 'clerk', stores: ['S001'] },
        { user: 'sec-till-2', role: 'clerk', stores: ['S002'] },
        { user: 'sec-hq', role: 'admin' },
      ],
      env: { THROTTLE_LOGIN_PER_IP_PER_MINUTE: '20' },
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    clerk = (await api.login('sec-till')).token;
    clerk2 = (await api.login('sec-till-2')).token;
    admin = (await api.login('sec-hq')).token;
  });
  afterAll(() => stack?.stop());

  const memberCodeOf = async (token: string) => (await api.call('GET', '/members/me/code', { token })).body.code as string;

  it("records at the clerk's own store only, lets only that store refund, and audits who, where, what and how much", async () => {
    const shopper = await api.joinedMember('sec-shopper', '13900003333', POLICY);
    const code = await memberCodeOf(shopper.token);
    const other = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 10_000, storeCode: 'S002', idempotencyKey: 'sec-purchase-00' },
    });
    expect([other.status, other.body.code]).toEqual([403, 'STORE_NOT_YOURS']);
    const unknown = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 10_000, storeCode: 'SH-001', idempotencyKey: 'sec-purchase-00' },
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'STORE_UNKNOWN']);
    const recorded = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 10_000, idempotencyKey: 'sec-purchase-01' },
    });
    expect(recorded.status).toBe(200);
    expect(recorded.body.storeCode).toBe('S001');

    const foreignRefund = await api.call('POST', `/staff/purchases/${recorded.body.id}/refunds`, {
      token: clerk2,
      body: { amountFen: 1000, refundNo: 'sec-refund-01' },
    });
    expect([foreignRefund.status, foreignRefund.body.code]).toEqual([403, 'STORE_NOT_YOURS']);
    expect((await api.call('GET', `/staff/purchases/${recorded.body.id}`, { token: clerk2 })).body.code).toBe('STORE_NOT_YOURS');
    expect(
      (
        await api.call('POST', `/staff/purchases/${recorded.body.id}/refunds`, {
          token: clerk,
          body: { amountFen: 1000, refundNo: 'sec-refund-02' },
        })
      ).status,
    ).toBe(200);

    expect((await api.call('GET', '/admin/audit-log', { token: clerk })).body.code).toBe('FORBIDDEN');
    const log = await api.call('GET', '/admin/audit-log?limit=10', { token: admin });
    expect(log.status).toBe(200);
    const rows = log.body.entries.map((e: any) => [e.action, e.outcome, e.staffOpenid, e.storeCode, e.memberId, e.amountFen]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['purchase.record', 'ok', stack.openidOf('sec-till'), 'S001', shopper.memberId, 10_000],
        ['purchase.record', 'STORE_NOT_YOURS', stack.openidOf('sec-till'), 'S001', null, 10_000],
        ['purchase.refund', 'STORE_NOT_YOURS', stack.openidOf('sec-till-2'), 'S001', null, 1000],
        ['purchase.refund', 'ok', stack.openidOf('sec-till'), 'S001', shopper.memberId, 1000],
      ]),
    );
    expect(JSON.stringify(log.body)).not.toContain(code);
    expect((await api.call('GET', '/staff/me', { token: clerk })).body.stores).toEqual([{ code: 'S001', name: '悦享旗舰店' }]);
  });

  it('binds a redemption to the store it was made at: another store’s clerk can’t reverse it, its own clerk and an admin can', async () => {
    const shopper = await api.joinedMember('sec-coupons', '13900007777', POLICY);
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: admin,
      body: cashOffTemplateBody({ name: '门店券', perMemberLimit: 3 }),
    });
    expect(template.status).toBe(201);
    const redeemAtS001 = async (n: number) => {
      const coupon = await api.call('POST', `/coupons/templates/${template.body.id}/claim`, {
        token: shopper.token,
        body: { idempotencyKey: `sec-claim-${n}` },
      });
      expect(coupon.status).toBe(200);
      const redeemed = await api.call('POST', '/staff/coupons/redeem', {
        token: clerk,
        body: { code: coupon.body.code, orderAmountFen: 30_000, memberId: shopper.memberId, idempotencyKey: `sec-redeem-${n}` },
      });
      expect(redeemed.status).toBe(200);
      return redeemed.body.redemptionId as number;
    };
    const first = await redeemAtS001(1);
    const foreign = await api.call('POST', `/staff/coupons/redemptions/${first}/reverse`, { token: clerk2 });
    expect([foreign.status, foreign.body.code]).toEqual([403, 'STORE_NOT_YOURS']);
    expect((await api.call('POST', `/staff/coupons/redemptions/${first}/reverse`, { token: clerk })).body).toMatchObject({
      restored: true,
    });

    const second = await redeemAtS001(2);
    expect((await api.call('POST', `/staff/coupons/redemptions/${second}/reverse`, { token: admin })).body).toMatchObject({
      restored: true,
    });
    const log = await api.call('GET', '/admin/audit-log?limit=20', { token: admin });
    expect(log.body.entries.map((e: any) => [e.action, e.outcome, e.staffOpenid, e.storeCode])).toEqual(
      expect.arrayContaining([
        ['coupon.redeem', 'ok', stack.openidOf('sec-till'), 'S001'],
        [expect.stringContaining('reverse'), 'STORE_NOT_YOURS', stack.openidOf('sec-till-2'), 'S002'],
      ]),
    );
  });

  it('lets a clerk read a member by id only after verifying their code; an admin any time', async () => {
    const shopper = await api.joinedMember('sec-reader', '13900004444', POLICY);
    const before = await api.call('GET', `/staff/members/${shopper.memberId}`, { token: clerk });
    expect([before.status, before.body.code]).toEqual([403, 'MEMBER_ACCESS_REQUIRED']);
    expect(
      (await api.call('POST', '/staff/member-code/verify', { token: clerk, body: { code: await memberCodeOf(shopper.token) } })).status,
    ).toBe(200);
    expect((await api.call('GET', `/staff/members/${shopper.memberId}`, { token: clerk })).body.id).toBe(shopper.memberId);
    expect((await api.call('GET', `/staff/members/${shopper.memberId}`, { token: clerk2 })).body.code).toBe('MEMBER_ACCESS_REQUIRED');
    expect((await api.call('GET', `/staff/members/${shopper.memberId}`, { token: admin })).status).toBe(200);
  });

  it('locks a clerk out after repeated wrong member codes, at verify and at the till alike', async () => {
    const shopper = await api.joinedMember('sec-target', '13900005555', POLICY);
    const genuine = await memberCodeOf(shopper.token);
    const forged = (n: number) => `${genuine.slice(0, -8)}${String((Number(genuine.slice(-8)) + n) % 1e8).padStart(8, '0')}`;
    const answers: string[] = [];
    for (let n = 1; n <= 10; n++)
      answers.push((await api.call('POST', '/staff/member-code/verify', { token: clerk2, body: { code: forged(n) } })).body.code);
    answers.push(
      (
        await api.call('POST', '/staff/purchases', {
          token: clerk2,
          body: { memberCode: forged(11), amountFen: 100, idempotencyKey: 'sec-guess-11' },
        })
      ).body.code,
    );
    expect(new Set(answers)).toEqual(new Set(['MEMBER_CODE_INVALID']));
    const locked = await api.call('POST', '/staff/member-code/verify', { token: clerk2, body: { code: genuine } });
    expect([locked.status, locked.body.code, locked.body.message]).toEqual([429, 'MEMBER_CODE_LOCKED', '会员码错误次数过多，请稍后再试']);
    const audit = await api.call('GET', `/admin/audit-log?staffOpenid=${stack.openidOf('sec-till-2')}&limit=50`, { token: admin });
    const outcomes = audit.body.entries.map((e: any) => `${e.action}:${e.outcome}`);
    expect(outcomes.filter((o: string) => o === 'member_code.verify:MEMBER_CODE_INVALID')).toHaveLength(10);
    expect(outcomes).toContain('member_code.locked:MEMBER_CODE_LOCKED');
    expect(outcomes).toContain('member_code.verify:MEMBER_CODE_LOCKED');
  });

  it('refuses numbers not in plain decimal, ids that are not positive integers, bidi text and foreign avatar URLs', async () => {
    const me = await api.joinedMember('sec-input', '13900006666', POLICY);
    for (const id of ['1e3', '0x10', '%2012', '+5', '-1', '0'])
      expect([id, (await api.call('GET', `/staff/purchases/${id}`, { token: clerk })).body.code]).toEqual([id, 'VALIDATION_FAILED']);
    const exponent = await api.call('POST', '/staff/purchases', {
      token: clerk,
      rawBody: `{"memberCode":"${await memberCodeOf(me.token)}","amountFen":1e3,"idempotencyKey":"sec-exp-0001"}`,
    });
    expect([exponent.status, exponent.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await api.call('PATCH', '/members/me', { token: me.token, body: { nickname: 'abc\u202Egnp.exe' } })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      (await api.call('PATCH', '/members/me', { token: me.token, body: { avatarUrl: 'https://evil.example/track.png' } })).body.code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (await api.call('PATCH', '/members/me', { token: me.token, body: { avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/x/132' } }))
        .status,
    ).toBe(200);
  });

  it('sends security headers and never lets personal data be cached', async () => {
    const me = await api.login('sec-headers');
    const answer = await api.call('GET', '/members/me', { token: me.token });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(answer.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });

  it('throttles logins per IP and phone binding per member with a 429 and a code', async () => {
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++)
      statuses.push((await api.call('POST', '/auth/login', { body: { code: `bogus-${i}` }, ...from('10.9.0.1') })).status);
    expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
    const limited = await api.call('POST', '/auth/login', { body: { code: 'bogus-x' }, ...from('10.9.0.1') });
    expect([limited.status, limited.body.code, limited.body.message]).toEqual([429, 'RATE_LIMITED', '操作太频繁，请稍后再试']);
    // Another address is not affected.
    expect((await api.call('POST', '/auth/login', { body: { code: 'bogus-y' }, ...from('10.9.0.2') })).status).not.toBe(429);

    const member = await api.login('sec-phone');
    const join = () =>
      api.call('POST', '/members/me/join', {
        token: member.token,
        body: { privacyAccepted: true, privacyPolicyVersion: POLICY, phoneCode: 'not-a-real-phone-code' },
      });
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await join()).body.code);
    expect(codes.slice(0, 5).includes('RATE_LIMITED')).toBe(false);
    expect(codes[5]).toBe('RATE_LIMITED');
  });
});
