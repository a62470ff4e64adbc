import { APP, APP2, type Harness, RID, startHarness } from './harness';
import { openidFor, unionidFor } from './ids';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterEach(() => h.state.reset());
afterAll(() => h.close());

describe('openidFor', () => {
  it('is deterministic, 28 url-safe chars starting with o, and per app', () => {
    const id = openidFor(APP.appid, 'alice');
    expect(id).toBe(openidFor(APP.appid, 'alice'));
    expect(id).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(id).not.toBe(openidFor(APP2.appid, 'alice'));
    expect(id).not.toBe(openidFor(APP.appid, 'bob'));
  });
});

describe('GET /sns/jscode2session', () => {
  it('exchanges a code for openid + session_key, with no errcode and no unionid for an unbound app', async () => {
    const { code, openid } = await h.login('alice');
    expect(openid).toBe(openidFor(APP.appid, 'alice'));
    const res = await h.jscode2session(code);
    expect(Object.keys(res).sort()).toEqual(['openid', 'session_key']);
    expect(res.openid).toBe(openid);
    expect(res.session_key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(Buffer.from(res.session_key, 'base64')).toHaveLength(16);
  });

  it('adds the unionid, shared across apps, for an app bound to an Open Platform account', async () => {
    const { code } = await h.login('alice', APP2);
    const res = await h.jscode2session(code, APP2);
    expect(res.unionid).toBe(unionidFor('alice'));
    expect(res.openid).toBe(openidFor(APP2.appid, 'alice'));
  });

  it('rotates session_key on every login', async () => {
    const first = await h.jscode2session((await h.login('alice')).code);
    const second = await h.jscode2session((await h.login('alice')).code);
    expect(second.session_key).not.toBe(first.session_key);
    expect(h.state.sessionKeys.get(first.openid)).toBe(second.session_key);
  });

  it('answers 40163 when a code is used twice', async () => {
    const { code } = await h.login('alice');
    expect((await h.jscode2session(code)).openid).toBeDefined();
    const again = await h.jscode2session(code);
    expect(again.errcode).toBe(40163);
    expect(again.errmsg).toMatch(/^code been used/);
    expect(again.errmsg).toMatch(RID);
  });

  it('accepts a code at 299 s and answers 40029 at 300 s', async () => {
    const young = await h.login('alice');
    const old = await h.login('bob');
    await h.advance(299);
    expect((await h.jscode2session(young.code)).openid).toBe(young.openid);
    await h.advance(1);
    expect((await h.jscode2session(old.code)).errcode).toBe(40029);
  });

  it('answers 40029 for an unknown code and for a code issued to another app', async () => {
    expect((await h.jscode2session('081KQx000ZQ1FU1ea8400Xy9Lp1KQx0b')).errcode).toBe(40029);
    const { code } = await h.login('alice', APP2);
    expect((await h.jscode2session(code, APP)).errcode).toBe(40029);
    // ...and it was not spent by that attempt
    expect((await h.jscode2session(code, APP2)).openid).toBeDefined();
  });

  it.each([
    ['unknown appid', 40013, { appid: 'wx9999999999999999' }],
    ['wrong secret', 40125, { secret: 'nope' }],
    ['bad grant_type', 40002, { grant_type: 'client_credential' }],
    ['missing grant_type', 40002, { grant_type: '' }],
    ['missing appid', 41002, { appid: '' }],
    ['missing secret', 41004, { secret: '' }],
    ['missing js_code', 41008, { js_code: '' }],
    ['risk_ code', 40226, { js_code: 'risk_1' }],
    ['busy_ code', -1, { js_code: 'busy_1' }],
    ['quota_ code', 45009, { js_code: 'quota_1' }],
  ])('%s → %i', async (_name, errcode, override) => {
    const { code } = await h.login('alice');
    const query = { appid: APP.appid, secret: APP.secret, js_code: code, grant_type: 'authorization_code', ...override };
    const res = await h.get('/sns/jscode2session', query);
    expect(res.errcode).toBe(errcode);
    expect(res.errmsg).toMatch(RID);
    expect(res.openid).toBeUndefined();
  });

  it('limits a user to 100 logins a minute (45011), then lets them in again', async () => {
    for (let i = 0; i < 100; i++) expect((await h.jscode2session((await h.login('alice')).code)).openid).toBeDefined();
    const { code } = await h.login('alice');
    expect((await h.jscode2session(code)).errcode).toBe(45011);
    // another user is not affected
    expect((await h.jscode2session((await h.login('bob')).code)).openid).toBeDefined();
    await h.advance(60);
    expect((await h.jscode2session(code)).openid).toBeDefined();
  });
});
