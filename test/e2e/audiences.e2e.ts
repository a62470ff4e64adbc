import { TestApi } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';
/** config/defaults.json: the coupon_arrived kind's template. */
const COUPON_ARRIVED_TEMPLATE = 'tmpl-coupon-arrived';

/**
 * Audiences over HTTP: marketing staff refresh the RFM segments and preview audiences; shoppers got there by
 * buying at the till and answering the app's subscription prompt, as in real life.
 */
describe('audiences end to end', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let api: TestApi;
  let admin: string;
  let clerk: string;
  let shopper: string;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      staff: [
        { user: 'aud-boss', role: 'admin' },
        { user: 'aud-till', role: 'clerk' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    admin = (await api.login('aud-boss')).token;
    clerk = (await api.login('aud-till')).token;
    shopper = (await api.joinedMember('aud-member', '13600000009', POLICY)).token;
  });
  afterAll(() => stack?.stop());

  const preview = (body: unknown, token = admin) => api.call('POST', '/admin/audiences/preview', { token, body });

  it('is for admins only: no token 401, a member or a clerk 403', async () => {
    for (const [method, path] of [
      ['POST', '/admin/audiences/preview'],
      ['POST', '/admin/segments/refresh'],
      ['GET', '/admin/segments'],
    ] as const) {
      const body = method === 'POST' ? { filter: {} } : undefined;
      const anonymous = await api.call(method, path, { body });
      expect([path, anonymous.status, anonymous.body.code]).toEqual([path, 401, 'AUTH_REQUIRED']);
      for (const token of [shopper, clerk]) {
        const answer = await api.call(method, path, { token, body });
        expect([path, answer.status, answer.body.code]).toEqual([path, 403, 'FORBIDDEN']);
      }
    }
  });

  it('refuses a filter it cannot read with 400 VALIDATION_FAILED, naming the field', async () => {
    const bad: Array<[unknown, string]> = [
      [{}, 'filter'],
      [{ filter: null }, 'filter'],
      [{ filter: { tiers: [] } }, 'filter.tiers'],
      [{ filter: { tiers: ['platinum'] } }, 'filter.tiers.0'],
      [{ filter: { tiers: ['gold', 'gold'] } }, 'filter.tiers'],
      [{ filter: { lifecycleStatuses: ['sleeping'] } }, 'filter.lifecycleStatuses.0'],
      [{ filter: { birthdayMonths: [13] } }, 'filter.birthdayMonths.0'],
      [{ filter: { birthdayMonths: ['11'] } }, 'filter.birthdayMonths.0'],
      [{ filter: { lastPurchaseDaysMin: -1 } }, 'filter.lastPurchaseDaysMin'],
      [{ filter: { lastPurchaseDaysMin: 30, lastPurchaseDaysMax: 7 } }, 'filter.lastPurchaseDaysMax'],
      [{ filter: { spendFenMin: 1.5 } }, 'filter.spendFenMin'],
      [{ filter: { spendFenMin: 500, spendFenMax: 100 } }, 'filter.spendFenMax'],
      [{ filter: { rfmSegments: ['vip'] } }, 'filter.rfmSegments.0'],
      [{ filter: { tier: ['gold'] } }, 'filter'],
      [{ filter: {}, messageKind: 'sms' }, 'messageKind'],
      [{ filter: {}, sendNow: true }, '(body)'],
    ];
    for (const [body, path] of bad) {
      const answer = await preview(body);
      expect([JSON.stringify(body), answer.status, answer.body.code]).toEqual([JSON.stringify(body), 400, 'VALIDATION_FAILED']);
      expect(answer.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const notJson = await api.call('POST', '/admin/audiences/preview', {
      token: admin,
      rawBody: '{"filter":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
  });

  it('counts the audience and who a message can reach, after buying at the till, accepting in the app and switching off', async () => {
    const codeOf = async (token: string) => (await api.call('GET', '/members/me/code', { token })).body.code as string;
    const buy = async (token: string, amountFen: number, key: string) => {
      const answer = await api.call('POST', '/staff/purchases', {
        token: clerk,
        body: { memberCode: await codeOf(token), amountFen, storeCode: 'S001', idempotencyKey: key },
      });
      expect(answer.status).toBe(200);
    };
    // What the app does: WeChat's subscribe sheet first (so WeChat's quota and our grant agree, as the invariant
    // checker holds them to), then the result to the server.
    const accept = async (user: string, token: string, key: string) => {
      const sheet = (await (
        await fetch(`${stack.emulatorUrl}/dev/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user, tmplIds: [COUPON_ARRIVED_TEMPLATE] }),
        })
      ).json()) as Record<string, string>;
      expect(sheet[COUPON_ARRIVED_TEMPLATE]).toBe('accept');
      const answer = await api.call('POST', '/messages/subscriptions', {
        token,
        body: { results: { [COUPON_ARRIVED_TEMPLATE]: 'accept' }, moment: 'coupon_claimed', idempotencyKey: key },
      });
      expect(answer.status).toBe(200);
    };
    // The member from beforeAll never buys; two more buy, one big (silver at once), one small.
    const big = (await api.joinedMember('aud-big', '13600000001', POLICY)).token;
    const small = (await api.joinedMember('aud-small', '13600000002', POLICY)).token;
    await api.login('aud-visitor'); // logged in, never joined: in no audience
    await buy(big, 250_000, 'aud-till-big-0001');
    await buy(small, 12_000, 'aud-till-small-01');
    await accept('aud-big', big, 'aud-accept-big-01');
    await accept('aud-small', small, 'aud-accept-small1');
    expect((await api.call('PUT', '/messages/preferences/coupon_arrived', { token: small, body: { enabled: false } })).status).toBe(200);

    expect((await api.call('GET', '/admin/segments', { token: admin })).body).toEqual({ lastRefresh: null });
    const before = await preview({ filter: { rfmSegments: ['never_purchased'] } });
    expect(before.body).toMatchObject({ size: 0, usesRfmData: true, rfmComputedAt: null });

    const refreshed = await api.call('POST', '/admin/segments/refresh', { token: admin });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ windowMonths: 12, members: 3, scoredMembers: 2, segments: { never_purchased: 1, lapsed: 0 } });
    expect((await api.call('GET', '/admin/segments', { token: admin })).body).toEqual({ lastRefresh: refreshed.body });

    const everyone = await preview({ filter: {}, messageKind: 'coupon_arrived' });
    expect(everyone.status).toBe(200);
    expect(everyone.body).toMatchObject({
      size: 3,
      reachable: 1,
      messageKind: 'coupon_arrived',
      templateId: COUPON_ARRIVED_TEMPLATE,
      usesRfmData: false,
      rfmComputedAt: refreshed.body.computedAt,
    });
    expect(everyone.body.sample).toHaveLength(3);
    for (const member of everyone.body.sample)
      expect(member).toMatchObject({ phoneMasked: expect.stringMatching(/^\d{3}\*{4}\d{4}$/), lifecycleStatus: expect.any(String) });

    const cases: Array<[unknown, number, number | null]> = [
      [{ filter: { tiers: ['silver'] }, messageKind: 'coupon_arrived' }, 1, 1],
      [{ filter: { tiers: ['normal'] }, messageKind: 'coupon_arrived' }, 2, 0], // the small buyer switched coupon messages off
      [{ filter: { lastPurchaseDaysMax: 0 } }, 2, null],
      [{ filter: { spendFenMin: 200_000 } }, 1, null],
      [{ filter: { spendFenMax: 0 } }, 1, null],
      [{ filter: { rfmSegments: ['never_purchased'] }, messageKind: 'reactivation' }, 1, 0],
      // Nobody set a birthday.
      [{ filter: { lifecycleStatuses: ['new'], birthdayMonths: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } }, 0, null],
    ];
    for (const [body, size, reachable] of cases) {
      const answer = await preview(body);
      expect([JSON.stringify(body), answer.status, answer.body.size, answer.body.reachable]).toEqual([
        JSON.stringify(body),
        200,
        size,
        reachable,
      ]);
    }
  });
});
