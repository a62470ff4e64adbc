import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';
const hour = 3_600_000;

/** Coupons over HTTP, as the admin console, the shopper's app and the clerk's till call them. */
describe('coupons end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let admin: string;
  let clerk: string;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'boss', role: 'admin' },
        { user: 'till', role: 'clerk' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    admin = (await api.login('boss')).token;
    clerk = (await api.login('till')).token;
  });
  afterAll(() => stack?.stop());

  const template = cashOffTemplateBody;

  it('admin creates a template; a shopper claims it once (a retry gives the same coupon); the wallet and card show it', async () => {
    const created = await api.call('POST', '/admin/coupon-templates', { token: admin, body: template() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', claimedCount: 0, totalStock: 50 });

    const shopper = await api.joinedMember('coupon-shopper', '15000000001', POLICY);
    const centre = await api.call('GET', '/coupons/claim-centre', { token: shopper.token });
    expect(centre.body.find((e: { template: { id: number } }) => e.template.id === created.body.id)).toMatchObject({
      canClaim: true,
      remainingStock: 50,
    });

    const claim = (key: string) =>
      api.call('POST', `/coupons/templates/${created.body.id}/claim`, { token: shopper.token, body: { idempotencyKey: key } });
    const first = await claim('tap-0001-abcdef');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'available', daysLeft: 7 });
    expect((await claim('tap-0001-abcdef')).body.id).toBe(first.body.id);
    const second = await claim('tap-0002-abcdef');
    expect([second.status, second.body.code]).toEqual([409, 'COUPON_LIMIT_REACHED']);
    expect(second.body.message).toBe('您已领取过该券，每人限领数量已满');

    const wallet = await api.call('GET', '/coupons/wallet?tab=usable', { token: shopper.token });
    expect(wallet.body.coupons.map((c: { id: number }) => c.id)).toEqual([first.body.id]);
    expect(wallet.body.counts).toEqual({ usable: 1, held: 0, used: 0, expired: 0 });
    expect((await api.call('GET', '/members/me/card', { token: shopper.token })).body.couponCount).toBe(1);
    expect((await api.call('GET', `/coupons/${first.body.id}`, { token: shopper.token })).body.code).toBe(first.body.code);
    const otherShopper = await api.joinedMember('coupon-other', '15000000002', POLICY);
    expect((await api.call('GET', `/coupons/${first.body.id}`, { token: otherShopper.token })).status).toBe(404);
  });

  it('the clerk previews, redeems once, refuses a second redemption, and reverses it on a refund', async () => {
    const created = (
      await api.call('POST', '/admin/coupon-templates', {
        token: admin,
        body: template({
          name: '8.5折',
          terms: {
            kind: 'percent_off',
            valueFen: null,
            thresholdFen: 0,
            percentPermille: 850,
            capFen: 3000,
            giftName: null,
            stacksWithMemberDiscount: false,
          },
        }),
      })
    ).body;
    const shopper = await api.joinedMember('redeem-shopper', '15000000003', POLICY);
    const coupon = (
      await api.call('POST', `/coupons/templates/${created.id}/claim`, {
        token: shopper.token,
        body: { idempotencyKey: 'tap-redeem-0001' },
      })
    ).body;

    const preview = await api.call('POST', '/staff/coupons/preview', {
      token: clerk,
      body: { code: coupon.code, orderAmountFen: 9999, memberId: shopper.memberId },
    });
    expect(preview.body).toMatchObject({ applicable: true, discountFen: 1499, payableFen: 8500 });
    const capped = await api.call('POST', '/staff/coupons/preview', { token: clerk, body: { code: coupon.code, orderAmountFen: 100000 } });
    expect(capped.body).toMatchObject({ discountFen: 3000, payableFen: 97000 });
    const wrongMember = await api.call('POST', '/staff/coupons/preview', {
      token: clerk,
      body: { code: coupon.code, orderAmountFen: 9999, memberId: shopper.memberId + 1 },
    });
    expect(wrongMember.body).toMatchObject({ applicable: false, reason: 'COUPON_OTHER_MEMBER', reasonText: '该券不属于当前会员' });

    const redeemed = await api.call('POST', '/staff/coupons/redeem', {
      token: clerk,
      body: { code: coupon.code, orderAmountFen: 9999, idempotencyKey: 'till-7-receipt-42' },
    });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ discountFen: 1499, coupon: { status: 'redeemed' } });
    const retry = await api.call('POST', '/staff/coupons/redeem', {
      token: clerk,
      body: { code: coupon.code, orderAmountFen: 9999, idempotencyKey: 'till-7-receipt-42' },
    });
    expect(retry.body.redemptionId).toBe(redeemed.body.redemptionId);
    const twice = await api.call('POST', '/staff/coupons/redeem', { token: clerk, body: { code: coupon.code, orderAmountFen: 9999 } });
    expect([twice.status, twice.body.code]).toEqual([409, 'COUPON_ALREADY_REDEEMED']);
    expect(
      (await api.call('GET', '/coupons/wallet?tab=used', { token: shopper.token })).body.coupons.map((c: { id: number }) => c.id),
    ).toEqual([coupon.id]);

    const reversed = await api.call('POST', `/staff/coupons/redemptions/${redeemed.body.redemptionId}/reverse`, { token: clerk });
    expect(reversed.body).toMatchObject({ restored: true, coupon: { status: 'available' } });
    expect((await api.call('POST', `/staff/coupons/redemptions/${redeemed.body.redemptionId}/reverse`, { token: clerk })).body.code).toBe(
      'REDEMPTION_ALREADY_REVERSED',
    );
    const templates = await api.call('GET', '/admin/coupon-templates', { token: admin });
    expect(templates.body.find((t: { id: number }) => t.id === created.id)).toMatchObject({ claimedCount: 1, redeemedCount: 0 });
  });

  it('keeps roles apart: members off the till and the console, clerks off the console', async () => {
    const shopper = await api.joinedMember('nosy-shopper', '15000000004', POLICY);
    expect(
      (await api.call('POST', '/staff/coupons/preview', { token: shopper.token, body: { code: '9000000000000000', orderAmountFen: 1 } }))
        .status,
    ).toBe(403);
    expect((await api.call('GET', '/admin/coupon-templates', { token: shopper.token })).status).toBe(403);
    const byClerk = await api.call('POST', '/admin/coupon-templates', { token: clerk, body: template() });
    expect([byClerk.status, byClerk.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('answers malformed input with 400 and creates nothing', async () => {
    const before = (await api.call('GET', '/admin/coupon-templates', { token: admin })).body.length;
    const bad = [
      template({ totalStock: 0 }),
      template({
        terms: {
          kind: 'cash_off',
          valueFen: null,
          thresholdFen: 20000,
          percentPermille: null,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: false,
        },
      }),
      template({
        terms: {
          kind: 'no_threshold',
          valueFen: 1000,
          thresholdFen: 500,
          percentPermille: null,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: false,
        },
      }),
      template({
        terms: {
          kind: 'percent_off',
          valueFen: null,
          thresholdFen: 0,
          percentPermille: 1000,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: false,
        },
      }),
      template({ claimEndsAt: new Date(Date.now() - 2 * hour).toISOString() }),
      template({ audience: 'tiers' }),
      template({ validity: { type: 'relative', validDays: 0 } }),
      template({ perMemberLimit: 51 }),
      { name: 'x' },
    ];
    for (const body of bad) {
      const answer = await api.call('POST', '/admin/coupon-templates', { token: admin, body });
      expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await api.call('GET', '/admin/coupon-templates', { token: admin })).body.length).toBe(before);
    const shopper = await api.joinedMember('typo-shopper', '15000000005', POLICY);
    for (const [method, path, body] of [
      ['POST', '/coupons/templates/1/claim', {}],
      ['POST', '/coupons/templates/abc/claim', { idempotencyKey: 'tap-abcdefgh' }],
      ['GET', '/coupons/wallet?tab=everything', undefined],
    ] as const) {
      const answer = await api.call(method, path, { token: shopper.token, body });
      expect([path, answer.status, answer.body.code]).toEqual([path, 400, 'VALIDATION_FAILED']);
    }
    for (const body of [
      { code: 'abc', orderAmountFen: 100 },
      { code: '9000000000000000', orderAmountFen: -1 },
      { code: '9000000000000000', orderAmountFen: 10.5 },
    ]) {
      const answer = await api.call('POST', '/staff/coupons/redeem', { token: clerk, body });
      expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});
