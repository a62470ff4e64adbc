import { APP, APP2, type Harness, RID, startHarness } from './harness';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterEach(() => h.state.reset());
afterAll(() => h.close());

/** errcode of a business call made with `token`: 40029 (bad phone code) means the token itself passed. */
async function probe(token: string): Promise<number> {
  return (await h.post(`/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`, { code: 'x' })).errcode;
}
const PASSED = 40029;

const stable = (body: Record<string, unknown> = {}) =>
  h.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, ...body });

describe('business API token check', () => {
  it('answers 41001 without a token, 40001 for an unknown one', async () => {
    const missing = await h.post('/wxa/business/getuserphonenumber', { code: 'x' });
    expect(missing.errcode).toBe(41001);
    expect(missing.errmsg).toMatch(RID);
    expect(await probe('made-up')).toBe(40001);
  });
});

describe('GET /cgi-bin/token', () => {
  it('issues a 7200 s token that business APIs accept until it expires (then 42001)', async () => {
    const res = await h.get('/cgi-bin/token', { grant_type: 'client_credential', appid: APP.appid, secret: APP.secret });
    expect(res).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    expect(res.access_token.length).toBeGreaterThan(100);
    await h.advance(7199);
    expect(await probe(res.access_token)).toBe(PASSED);
    await h.advance(1);
    const expired = await h.post(`/wxa/business/getuserphonenumber?access_token=${res.access_token}`, { code: 'x' });
    expect(expired.errcode).toBe(42001);
    expect(expired.errmsg).toMatch(/^access_token expired, rid: /);
  });

  it('replaces the token on every call; the old one works 300 s more, then 40001', async () => {
    const old = await h.token();
    await h.advance(100);
    const fresh = await h.token();
    expect(fresh).not.toBe(old);
    await h.advance(299);
    expect(await probe(old)).toBe(PASSED);
    await h.advance(1);
    expect(await probe(old)).toBe(40001);
    expect(await probe(fresh)).toBe(PASSED);
  });

  it('never extends a replaced token beyond its own expiry', async () => {
    const old = await h.token();
    await h.advance(7100);
    await h.token();
    await h.advance(100);
    expect(await probe(old)).toBe(42001);
  });

  it('keeps apps apart: a new token for one app leaves the other app’s token alone', async () => {
    const a = await h.token(APP);
    await h.token(APP2);
    await h.advance(400);
    expect(await probe(a)).toBe(PASSED);
  });

  it.each([
    ['unknown appid', 40013, { appid: 'wx9999999999999999' }],
    ['wrong secret', 40001, { secret: 'wrong' }],
    ['bad grant_type', 40002, { grant_type: 'authorization_code' }],
    ['missing appid', 41002, { appid: '' }],
    ['missing secret', 41004, { secret: '' }],
  ])('%s → %i', async (_name, errcode, override) => {
    const query = { grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, ...override };
    const res = await h.get('/cgi-bin/token', query);
    expect(res.errcode).toBe(errcode);
    expect(res.errmsg).toMatch(RID);
    expect(res.access_token).toBeUndefined();
  });
});

describe('POST /cgi-bin/stable_token', () => {
  it('returns the same token while it has more than 300 s left, with the remaining expires_in', async () => {
    const first = await stable();
    expect(first.expires_in).toBe(7200);
    await h.advance(1000);
    const second = await stable({ force_refresh: false });
    expect(second).toEqual({ access_token: first.access_token, expires_in: 6200 });
    await h.advance(5899); // 301 s left
    expect((await stable()).access_token).toBe(first.access_token);
  });

  it('hands out a new token in the old one’s last 300 s; the old one lives to its own expiry', async () => {
    const first = await stable();
    await h.advance(6900); // 300 s left
    const next = await stable();
    expect(next.access_token).not.toBe(first.access_token);
    expect(next.expires_in).toBe(7200);
    expect((await stable()).access_token).toBe(next.access_token);
    await h.advance(299);
    expect(await probe(first.access_token)).toBe(PASSED);
    await h.advance(1);
    expect(await probe(first.access_token)).toBe(42001);
    expect(await probe(next.access_token)).toBe(PASSED);
  });

  it('force_refresh invalidates the old token at once; a second one within 30 s answers the current token, no error', async () => {
    const first = await stable();
    const forced = await stable({ force_refresh: true });
    expect(forced.access_token).not.toBe(first.access_token);
    expect(forced.expires_in).toBe(7200);
    expect(await probe(first.access_token)).toBe(40001);
    await h.advance(29);
    // "不会刷新": the same token with what is left of it, not 45011, and the token keeps working.
    expect(await stable({ force_refresh: true })).toEqual({ access_token: forced.access_token, expires_in: 7200 - 29 });
    expect(await probe(forced.access_token)).toBe(PASSED);
    await h.advance(1);
    const later = await stable({ force_refresh: true });
    expect(later.access_token).not.toBe(forced.access_token);
    expect(await probe(forced.access_token)).toBe(40001);
  });

  it('does not count a force_refresh within 30 s of the last one against the 20 a day', async () => {
    for (let i = 0; i < 19; i++) {
      expect((await stable({ force_refresh: true })).access_token).toBeDefined();
      await h.advance(30);
    }
    const twentieth = await stable({ force_refresh: true });
    for (let i = 0; i < 5; i++) expect((await stable({ force_refresh: true })).access_token).toBe(twentieth.access_token);
    await h.advance(30);
    expect((await stable({ force_refresh: true })).errcode).toBe(45009);
  });

  it('allows 20 force_refresh a day, then 45009', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await stable({ force_refresh: true })).access_token).toBeDefined();
      await h.advance(30);
    }
    const over = await stable({ force_refresh: true });
    expect(over.errcode).toBe(45009);
    expect(over.errmsg).toMatch(/^reach max api daily quota limit/);
    await h.advance(86_400);
    expect((await stable({ force_refresh: true })).access_token).toBeDefined();
  });

  it('keeps its tokens apart from /cgi-bin/token; business APIs accept both', async () => {
    const s = (await stable()).access_token;
    const t = await h.token();
    expect(s).not.toBe(t);
    await h.token(); // replaces t, must not touch s
    await stable({ force_refresh: true }); // revokes s, must not touch t
    await h.advance(1);
    expect(await probe(t)).toBe(PASSED);
    expect(await probe(s)).toBe(40001);
    const s2 = (await stable()).access_token;
    expect(await probe(s2)).toBe(PASSED);
  });

  it('is POST only (43002) and wants a JSON body (47001)', async () => {
    const got = await h.get('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APP.appid, secret: APP.secret });
    expect(got.errcode).toBe(43002);
    expect(got.errmsg).toMatch(/^require POST method/);
    expect((await h.post('/cgi-bin/stable_token', '{"grant_type":')).errcode).toBe(47001);
  });

  it.each([
    ['unknown appid', 40013, { appid: 'wx9999999999999999' }],
    ['wrong secret', 40125, { secret: 'wrong' }],
    ['bad grant_type', 40002, { grant_type: 'authorization_code' }],
    ['missing appid', 41002, { appid: undefined }],
    ['missing secret', 41004, { secret: undefined }],
  ])('%s → %i', async (_name, errcode, override) => {
    const res = await stable(override);
    expect(res.errcode).toBe(errcode);
    expect(res.errmsg).toMatch(RID);
  });
});
