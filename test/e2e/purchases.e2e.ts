import { TestApi } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';

/** Purchases at the till and the member's points over real HTTP, as the staff pages and the app call them. */
describe('purchases and points end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let clerk: string;

  beforeAll(async () => {
    stack = await startStack({ database: 'mariadb', staff: [{ user: 'till-points', role: 'clerk' }] });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    clerk = (await api.login('till-points')).token;
  });
  afterAll(() => stack?.stop());

  const memberCodeOf = async (token: string) => (await api.call('GET', '/members/me/code', { token })).body.code as string;

  it('records a purchase for the scanned member: points and spend show on the card and history; a refund takes them back', async () => {
    const shopper = await api.joinedMember('points-shopper', '13900001111', POLICY);
    const body = {
      memberCode: await memberCodeOf(shopper.token),
      amountFen: 250_000,
      storeCode: 'S001',
      idempotencyKey: 'till-purchase-0001',
    };
    const recorded = await api.call('POST', '/staff/purchases', { token: clerk, body });
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({
      paidFen: 250_000,
      pointsEarned: 2500,
      member: { pointsBalance: 2500, tier: 'silver', tierName: '银卡会员', spendFen: 250_000 },
    });
    const resent = await api.call('POST', '/staff/purchases', { token: clerk, body });
    expect(resent.body.id).toBe(recorded.body.id);

    const card = await api.call('GET', '/members/me/card', { token: shopper.token });
    expect(card.body).toMatchObject({
      pointsBalance: 2500,
      spendFen: 250_000,
      tier: { code: 'silver' },
      nextTier: { code: 'gold' },
      tierWindowMonths: 12,
      doublePointsUntil: null,
    });
    expect(card.body.tiers.map((t: { code: string }) => t.code)).toEqual(['normal', 'silver', 'gold', 'diamond']);

    const refund = await api.call('POST', `/staff/purchases/${recorded.body.id}/refunds`, {
      token: clerk,
      body: { amountFen: 50_000, refundNo: 'till-refund-0001' },
    });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ pointsClawed: 500, purchase: { refundedFen: 50_000, member: { pointsBalance: 2000 } } });
    const tooMuch = await api.call('POST', `/staff/purchases/${recorded.body.id}/refunds`, {
      token: clerk,
      body: { amountFen: 200_001, refundNo: 'till-refund-0002' },
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ code: 'REFUND_EXCEEDS_PAID', message: '退款金额不能超过实付金额' });

    const points = await api.call('GET', '/members/me/points', { token: shopper.token });
    expect(points.status).toBe(200);
    expect(points.body).toMatchObject({ balance: 2000, nextBefore: null });
    expect(
      points.body.lines.map((l: { reason: string; delta: number; balanceAfter: number }) => [l.reason, l.delta, l.balanceAfter]),
    ).toEqual([
      ['clawback', -500, 2000],
      ['earn', 2500, 2500],
    ]);
    expect(points.body.expiring).toEqual([{ points: 2000, expiresAt: expect.stringMatching(/-12-31T15:59:59\.000Z$/) }]);
  });

  it('refuses malformed input with 400 and changes nothing; members cannot record purchases', async () => {
    const shopper = await api.joinedMember('points-typo', '13900002222', POLICY);
    const code = await memberCodeOf(shopper.token);
    const bad = [
      { memberCode: code, amountFen: 0, storeCode: 'S001', idempotencyKey: 'bad-purchase-01' },
      { memberCode: code, amountFen: 10.5, storeCode: 'S001', idempotencyKey: 'bad-purchase-02' },
      { memberCode: code, amountFen: 1000, storeCode: '门店 1', idempotencyKey: 'bad-purchase-03' },
      { memberCode: code, amountFen: 1000, storeCode: 'S001', idempotencyKey: 'short' },
      { memberCode: code, amountFen: 1000, storeCode: 'S001', idempotencyKey: 'bad-purchase-05', pointsToBurn: -1 },
      { memberCode: 'abc', amountFen: 1000, storeCode: 'S001', idempotencyKey: 'bad-purchase-06' },
      { memberCode: code, amountFen: 1000, storeCode: 'S001', idempotencyKey: 'bad-purchase-07', price: 1 },
    ];
    for (const body of bad) {
      const answer = await api.call('POST', '/staff/purchases', { token: clerk, body });
      expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const asMember = await api.call('POST', '/staff/purchases', {
      token: shopper.token,
      body: { memberCode: code, amountFen: 1000, storeCode: 'S001', idempotencyKey: 'member-self-01' },
    });
    expect(asMember.status).toBe(403);
    const refundBad = await api.call('POST', '/staff/purchases/abc/refunds', {
      token: clerk,
      body: { amountFen: 1, refundNo: 'refund-bad-1' },
    });
    expect(refundBad.status).toBe(400);
    const missing = await api.call('POST', '/staff/purchases/999999/refunds', {
      token: clerk,
      body: { amountFen: 1, refundNo: 'refund-bad-2' },
    });
    expect([missing.status, missing.body.code]).toEqual([404, 'PURCHASE_NOT_FOUND']);
    expect((await api.call('GET', '/members/me/points', { token: shopper.token })).body).toMatchObject({ balance: 0, lines: [] });
    expect((await api.call('GET', '/members/me/points?before=x', { token: shopper.token })).status).toBe(400);
  });
});
