import { errorMessage } from '@member/shared';
import { SessionTokens } from '../auth/session';
import { templateRequest } from '../testing/coupon-fixtures';
import { TEST_DATABASES } from '../testing/databases';
import { joinedMembersSpec, keyMaker } from '../testing/spec';
import { listenLocally, type TestApp } from '../testing/test-app';
import { ClaimService } from './claim.service';
import { TemplatesService } from './templates.service';

const key = keyMaker('route');

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * The flash claim is a route of the HTTP server itself, not a Nest controller method (FlashClaimRoute). Over real
 * HTTP it must answer every caller, honest or hostile, exactly as the rest of the API does: the same error bodies
 * with the request's id, the same statuses, the same security headers, and nothing written for a refused request.
 */
describe.each(TEST_DATABASES)('the flash-claim route on %s', (kind) => {
  const { start, member } = joinedMembersSpec(kind, 'route', 10, '2026-11-20T00:00:00Z');
  let t: TestApp;
  let base: string;
  let templateId: number;

  beforeAll(async () => {
    t = await start();
    base = await listenLocally(t.app);
    templateId = (await t.app.get(TemplatesService).create(templateRequest(t.clock.now(), { totalStock: 2, perMemberLimit: 1 }))).id;
  });
  afterEach(() => t.app.get(ClaimService).combiner.drain());

  const tokenOf = (memberId: number) => t.app.get(SessionTokens).issue({ memberId, openid: `o-route-${memberId}` }).token;

  async function send(path: string, init: { method?: string; token?: string; body?: string; contentType?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const response = await fetch(`${base}/api${path}`, { method: init.method ?? 'POST', headers, body: init.body });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  }
  const claim = (token: string | undefined, body: unknown, id: number | string = templateId) =>
    send(`/coupons/templates/${id}/claim`, { token, body: typeof body === 'string' ? body : JSON.stringify(body) });

  /** What every answer of the API carries, errors included: the request id twice, JSON, and the API's headers. */
  function expectApiAnswer(answer: Answer) {
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    if (answer.status >= 400) expect(answer.body.requestId).toBe(requestId);
  }

  it('answers a coupon, the same one to a retry, and a refusal with its code, status and message', async () => {
    const [me, other, late] = [member(), member(), member()];
    const tap = key();
    const first = await claim(tokenOf(me), { idempotencyKey: tap });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ templateId, status: 'available' });
    expectApiAnswer(first);
    expect((await claim(tokenOf(me), { idempotencyKey: tap })).body.id).toBe(first.body.id);
    const limited = await claim(tokenOf(me), { idempotencyKey: key() });
    expect([limited.status, limited.body.code]).toEqual([409, 'COUPON_LIMIT_REACHED']);
    expect(limited.body.message).toBe(errorMessage('COUPON_LIMIT_REACHED'));
    expectApiAnswer(limited);
    expect((await claim(tokenOf(other), { idempotencyKey: key() })).status).toBe(200);
    const out = await claim(tokenOf(late), { idempotencyKey: key() });
    expect([out.status, out.body]).toEqual([
      409,
      { code: 'COUPON_OUT_OF_STOCK', message: errorMessage('COUPON_OUT_OF_STOCK'), requestId: out.headers.get('x-request-id') },
    ]);
    const missing = await claim(tokenOf(late), { idempotencyKey: key() }, 99_999_999);
    expect([missing.status, missing.body.code]).toEqual([404, 'COUPON_TEMPLATE_NOT_FOUND']);
  });

  it('refuses a caller without a good session as every member route does', async () => {
    const me = member();
    const good = tokenOf(me);
    const [header, payload] = good.split('.');
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'AUTH_REQUIRED'],
      ['not-a-token', 'AUTH_REQUIRED'],
      [`${header}.${payload}.`, 'AUTH_REQUIRED'],
      [`${header}.${Buffer.from('{"sub":"1","oid":"x","exp":9999999999}').toString('base64url')}.${good.split('.')[2]}`, 'AUTH_REQUIRED'],
    ];
    for (const [token, code] of cases) {
      const answer = await claim(token, { idempotencyKey: key() });
      // The wallet is an ordinary Nest route behind MemberAuthGuard: the claim must refuse the same way.
      const wallet = await send('/coupons/wallet', { method: 'GET', token });
      expect([answer.status, answer.body.code, answer.body.message]).toEqual([401, code, errorMessage(code as 'AUTH_REQUIRED')]);
      expect([wallet.status, wallet.body.code]).toEqual([answer.status, answer.body.code]);
      expectApiAnswer(answer);
    }
    t.clock.advance(t.config.session.ttlSeconds);
    try {
      const expired = await claim(good, { idempotencyKey: key() });
      expect([expired.status, expired.body.code]).toEqual([401, 'SESSION_EXPIRED']);
    } finally {
      t.clock.advance(-t.config.session.ttlSeconds);
    }
  });

  it('refuses bad input with VALIDATION_FAILED naming the field, and writes nothing', async () => {
    const me = member();
    const token = tokenOf(me);
    const coupons = () => t.db.dataSource.query('SELECT COUNT(*) AS n FROM coupon WHERE member_id = ?', [me]);
    const before = await coupons();
    const invalid: Array<[unknown, number | string, string]> = [
      [{}, templateId, 'idempotencyKey'],
      [{ idempotencyKey: 'short' }, templateId, 'idempotencyKey'],
      [{ idempotencyKey: 'tap-with space' }, templateId, 'idempotencyKey'],
      [{ idempotencyKey: key(), extra: 1 }, templateId, '(body)'],
      [[{ idempotencyKey: key() }], templateId, '(body)'],
      ['null', templateId, '(body)'],
      [{ idempotencyKey: key() }, 'abc', '(body)'],
      [{ idempotencyKey: key() }, '0', '(body)'],
      [{ idempotencyKey: key() }, '1e3', '(body)'],
    ];
    for (const [body, id, path] of invalid) {
      const answer = await claim(token, body, id);
      expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect((answer.body.details as Array<{ path: string }>).map((d) => d.path)).toContain(path);
      expectApiAnswer(answer);
    }
    // Bodies the server's parser refuses before the route (malformed JSON, an exponent, another content type, too
    // big): refused as a Nest route (joining) refuses them.
    const unparsed: Array<[string, string | undefined]> = [
      ['{"idempotencyKey":', undefined],
      [`{"idempotencyKey":"${key()}","n":1e3}`, undefined],
      [`<claim key="${key()}"/>`, 'application/xml'],
      [JSON.stringify({ idempotencyKey: key(), pad: 'x'.repeat(70 * 1024) }), undefined],
    ];
    for (const [body, contentType] of unparsed) {
      const answer = await send(`/coupons/templates/${templateId}/claim`, { token, body, contentType });
      const join = await send('/members/me/join', { token, body, contentType });
      expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect([join.status, join.body.code]).toEqual([answer.status, answer.body.code]);
      expectApiAnswer(answer);
    }
    const wrongMethod = await send(`/coupons/templates/${templateId}/claim`, { method: 'GET', token });
    expect([wrongMethod.status, wrongMethod.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(await coupons()).toEqual(before);
  });
});
