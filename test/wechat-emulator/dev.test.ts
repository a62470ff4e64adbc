import { APP, json, BASE_TIME, type Harness, RID, startHarness } from './harness';

let h: Harness;
beforeAll(async () => (h = await startHarness({ pages: ['pages/member/code'] })));
afterEach(() => h.state.reset());
afterAll(() => h.close());

const fault = (body: Record<string, unknown>) => h.post('/dev/faults', body);

async function readySend(user = 'alice', accepts = 1) {
  const { openid } = await h.login(user);
  for (let i = 0; i < accepts; i++) await h.post('/dev/subscribe', { user, tmplIds: ['T'] });
  const token = await h.token();
  return () =>
    fetch(`${h.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ touser: openid, template_id: 'T', data: { thing1: { value: 'hi' } } }),
    });
}

describe('CORS on /dev/', () => {
  it('answers the preflight', async () => {
    const res = await fetch(`${h.url}/dev/login-code`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:10086',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it('marks dev responses, but not WeChat ones, as readable cross-origin', async () => {
    const dev = await fetch(`${h.url}/dev/stats`, { headers: { origin: 'http://127.0.0.1:10086' } });
    expect(dev.headers.get('access-control-allow-origin')).toBe('*');
    const wx = await fetch(`${h.url}/cgi-bin/token?grant_type=client_credential&appid=${APP.appid}&secret=${APP.secret}`);
    expect(wx.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('/dev/clock', () => {
  it('moves the clock forward only', async () => {
    expect(await h.get('/dev/clock')).toEqual({ now: BASE_TIME, nowSeconds: BASE_TIME / 1000, offsetSeconds: 0 });
    expect((await h.post('/dev/clock', { advanceSeconds: 90 })).now).toBe(BASE_TIME + 90_000);
    const res = await fetch(`${h.url}/dev/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: -1 }) });
    expect(res.status).toBe(400);
    expect(h.state.clock.now()).toBe(BASE_TIME + 90_000);
  });
});

describe('/dev/faults', () => {
  it('makes the next N sends answer an errcode, then works again', async () => {
    const sendOnce = await readySend('alice', 1);
    await fault({ endpoint: 'subscribe_send', errcode: -1, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await json(await sendOnce());
      expect(res.errcode).toBe(-1);
      expect(res.errmsg).toMatch(RID);
    }
    expect((await json(await sendOnce())).errcode).toBe(0);
  });

  it('injects 45009 and HTTP 500 (an HTML page, not JSON), in the order queued', async () => {
    const sendOnce = await readySend('alice', 1);
    await fault({ endpoint: 'subscribe_send', errcode: 45009, times: 1 });
    await fault({ endpoint: 'subscribe_send', httpStatus: 500, times: 1 });
    expect((await json(await sendOnce())).errcode).toBe(45009);
    const res = await sendOnce();
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    // the faulted calls never reached the quota
    expect((await json(await sendOnce())).errcode).toBe(0);
  });

  it('delays a call and then answers it normally', async () => {
    const sendOnce = await readySend('alice', 1);
    await fault({ endpoint: 'subscribe_send', delayMs: 300, times: 1 });
    const started = Date.now();
    const res = await json(await sendOnce());
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.errcode).toBe(0);
  });

  it('applies to jscode2session without spending the code', async () => {
    const { code } = await h.login('alice');
    await fault({ endpoint: 'jscode2session', errcode: -1 });
    expect((await h.jscode2session(code)).errcode).toBe(-1);
    expect((await h.jscode2session(code)).openid).toBeDefined();
  });

  it('applies to token, stable_token and getuserphonenumber', async () => {
    await fault({ endpoint: 'token', errcode: -1 });
    await fault({ endpoint: 'stable_token', errcode: 45009 });
    await fault({ endpoint: 'getuserphonenumber', httpStatus: 502 });
    const q = { grant_type: 'client_credential', appid: APP.appid, secret: APP.secret };
    expect((await h.get('/cgi-bin/token', q)).errcode).toBe(-1);
    expect((await h.post('/cgi-bin/stable_token', q)).errcode).toBe(45009);
    const res = await fetch(`${h.url}/wxa/business/getuserphonenumber?access_token=${await h.token()}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
  });

  it('rejects an unknown endpoint or an empty fault', async () => {
    const post = (body: unknown) => fetch(`${h.url}/dev/faults`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ endpoint: 'nope', errcode: -1 })).status).toBe(400);
    expect((await post({ endpoint: 'token', times: 1 })).status).toBe(400);
    expect((await post({ endpoint: 'token', errcode: -1, times: 0 })).status).toBe(400);
  });
});

describe('/dev/stats and /dev/reset', () => {
  it('counts calls per endpoint, including concurrent ones', async () => {
    await Promise.all(Array.from({ length: 50 }, () => h.token()));
    await h.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APP.appid, secret: APP.secret });
    const stats = await h.get('/dev/stats');
    expect(stats).toMatchObject({ token: 50, stable_token: 1, jscode2session: 0, subscribe_send: 0 });
    expect(h.state.calls.token).toBe(50);
  });

  it('forgets tokens, codes, quotas, messages and the clock offset', async () => {
    const token = await h.token();
    const { code } = await h.login('alice');
    await h.advance(100);
    await h.post('/dev/reset', {});
    expect(await h.get('/dev/stats')).toMatchObject({ token: 0 });
    expect((await h.get('/dev/clock')).offsetSeconds).toBe(0);
    expect((await h.jscode2session(code)).errcode).toBe(40029);
    const res = await h.post(`/wxa/business/getuserphonenumber?access_token=${token}`, { code: 'x' });
    expect(res.errcode).toBe(40001);
  });
});

describe('protocol edges', () => {
  it('answers an unknown path with HTTP 404 and errcode 40066', async () => {
    const res = await fetch(`${h.url}/cgi-bin/nope`);
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body.errcode).toBe(40066);
    expect(body.errmsg).toMatch(RID);
  });
});

describe('POST /wxa/getwxacodeunlimit', () => {
  const call = async (body: Record<string, unknown>) =>
    fetch(`${h.url}/wxa/getwxacodeunlimit?access_token=${await h.token()}`, { method: 'POST', body: JSON.stringify(body) });

  it('returns a PNG for a valid scene', async () => {
    const res = await call({ scene: 'm=42&t=abc', page: 'pages/member/code', width: 430 });
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it.each([
    ['33 chars', { scene: 'a'.repeat(33) }, 40169],
    ['a space', { scene: 'a b' }, 40169],
    ['Chinese', { scene: '会员' }, 40169],
    ['no scene', {}, 40169],
    ['an unreleased page', { scene: 'a', page: 'pages/nope/index' }, 41030],
    ['a page with a query', { scene: 'a', page: 'pages/member/code?x=1' }, 41030],
  ])('answers JSON errors for %s', async (_name, body, errcode) => {
    const res = await call(body);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((await json(res)).errcode).toBe(errcode);
  });

  it('skips the page check when check_path is false', async () => {
    const res = await call({ scene: 'a', page: 'pages/draft/index', check_path: false });
    expect(res.headers.get('content-type')).toBe('image/png');
  });
});

describe('load-test helpers', () => {
  it('adds many users’ accepts at once, and they send like ordinary ones', async () => {
    expect(await h.post('/dev/quota', { users: ['u1', 'u2', 'u3'], templateId: 'T', add: 2 })).toEqual({ users: 3 });
    const token = await h.token();
    const openid = (await h.login('u2')).openid;
    expect((await json(await fetch(`${h.url}/dev/quota?openid=${openid}&template_id=T`))).remaining).toBe(2);
    const send = await fetch(`${h.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ touser: openid, template_id: 'T', data: { thing1: { value: 'hi' } } }),
    });
    expect((await json(send)).errcode).toBe(0);
    expect((await h.post('/dev/quota', { users: [], templateId: 'T' })).error).toMatch(/users/);
  });

  it('caps subscribe_send at perSecond per wall-clock second with 45011, changing nothing over the cap', async () => {
    const send = await readySend('bob', 10);
    await h.post('/dev/limits', { endpoint: 'subscribe_send', perSecond: 3 });
    // Start at the top of a second so all ten calls fall in one.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await json(await send())).errcode);
    expect(codes.filter((c) => c === 0)).toHaveLength(3);
    expect(codes.filter((c) => c === 45011)).toHaveLength(7);
    expect(h.state.inbox).toHaveLength(3);
    await h.post('/dev/limits', { endpoint: 'subscribe_send', perSecond: null });
    expect((await json(await send())).errcode).toBe(0);
  });
});
