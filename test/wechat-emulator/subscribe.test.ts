import { APP, APP2, type Harness, RID, startHarness } from './harness';
import type { TemplateConfig } from './state';

const ORDER = 'TMPL_ORDER_PAID';
const POINTS = 'TMPL_POINTS';
const templates: TemplateConfig[] = [
  { id: ORDER, keys: { thing1: 'thing', amount2: 'amount', time3: 'time' } },
  { id: POINTS, keys: { number1: '', phrase2: '' } },
];
const pages = ['pages/index/index', '/pages/order/detail'];

let h: Harness;
let token: string;
beforeAll(async () => (h = await startHarness({ templates, pages })));
beforeEach(async () => {
  h.state.reset();
  token = await h.token();
});
afterAll(() => h.close());

const orderData = { thing1: { value: '拿铁 大杯' }, amount2: { value: '¥32.00' }, time3: { value: '2025-05-20 10:00' } };

async function subscribe(user: string, tmplIds: unknown, decisions?: Record<string, string>, app = APP) {
  return h.post('/dev/subscribe', { appid: app.appid, user, tmplIds, decisions });
}
async function openid(user: string): Promise<string> {
  return (await h.login(user)).openid;
}
async function send(body: Record<string, unknown>): Promise<any> {
  return h.post(`/cgi-bin/message/subscribe/send?access_token=${token}`, body);
}

/** The answer as sent: msgid is a bare number too large for JSON.parse to keep. */
async function sendRaw(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${h.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.text();
}
const msgidOf = (text: string): string => /"msgid":(\d+)/.exec(text)?.[1] ?? 'none';

describe('POST /dev/subscribe (wx.requestSubscribeMessage)', () => {
  it('returns the client’s success object, accept by default', async () => {
    expect(await subscribe('alice', [ORDER, POINTS], { [POINTS]: 'reject' })).toEqual({
      errMsg: 'requestSubscribeMessage:ok',
      [ORDER]: 'accept',
      [POINTS]: 'reject',
    });
  });

  it.each([
    ['empty tmplIds', 10001, []],
    ['more than 3 ids', 20003, [ORDER, POINTS, ORDER, POINTS]],
    ['an unknown template', 20001, [ORDER, 'NOPE']],
    ['tmplIds not an array', 10004, ORDER],
  ])('fails for %s with errCode %i', async (_name, errCode, tmplIds) => {
    const res = await subscribe('alice', tmplIds);
    expect(res).toEqual({ errMsg: expect.stringMatching(/^requestSubscribeMessage:fail /), errCode });
  });
});

describe('POST /cgi-bin/message/subscribe/send', () => {
  it('answers msgid as a bare JSON number beyond 2^53, as WeChat does', async () => {
    const touser = await openid('alice');
    await subscribe('alice', [ORDER, ORDER]);
    const texts = [
      await sendRaw({ touser, template_id: ORDER, data: orderData }),
      await sendRaw({ touser, template_id: ORDER, data: orderData }),
    ];
    const ids = texts.map(msgidOf);
    for (const id of ids) expect(BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    // Parsed plainly, both round to one wrong double: a client must read the digits.
    expect(texts.map((t) => String(JSON.parse(t).msgid))).not.toEqual(ids);
    expect(h.state.inbox.map((m) => m.msgid)).toEqual(ids);
  });

  it('allows exactly one send per accept, then 43101', async () => {
    const touser = await openid('alice');
    await subscribe('alice', [ORDER]);
    await subscribe('alice', [ORDER, POINTS], { [POINTS]: 'reject' });
    await subscribe('alice', [ORDER], { [ORDER]: 'ban' });
    expect(await h.get('/dev/quota', { openid: touser, template_id: ORDER })).toEqual({ remaining: 2 });
    expect(await h.get('/dev/quota', { openid: touser, template_id: POINTS })).toEqual({ remaining: 0 });
    const first = await sendRaw({ touser, template_id: ORDER, data: orderData });
    const second = await sendRaw({ touser, template_id: ORDER, data: orderData });
    expect(first).toMatch(/^\{"errcode":0,"errmsg":"ok","msgid":\d+\}$/);
    expect(msgidOf(second)).not.toBe(msgidOf(first));
    const third = await send({ touser, template_id: ORDER, data: orderData });
    expect(third.errcode).toBe(43101);
    expect(third.errmsg).toMatch(/^user refuse to accept the msg, rid: /);
    expect((await send({ touser, template_id: POINTS, data: { number1: { value: '100' } } })).errcode).toBe(43101);
    expect(h.state.getQuota(touser, ORDER)).toBe(0);
  });

  it('stores what was sent in the inbox', async () => {
    const touser = await openid('alice');
    await subscribe('alice', [ORDER]);
    await h.advance(5);
    const res = await sendRaw({ touser, template_id: ORDER, page: 'pages/order/detail?id=7', data: orderData });
    const { messages } = await h.get('/dev/inbox', { openid: touser });
    expect(messages).toEqual([
      expect.objectContaining({
        msgid: msgidOf(res),
        touser,
        template_id: ORDER,
        page: 'pages/order/detail?id=7',
        miniprogram_state: 'formal',
        lang: 'zh_CN',
        data: orderData,
        sentTime: expect.stringMatching(/^2025-05-20T02:00:05/),
      }),
    ]);
    expect((await h.get('/dev/inbox', { openid: await openid('bob') })).messages).toEqual([]);
  });

  it('checks the token first', async () => {
    const res = await h.post('/cgi-bin/message/subscribe/send', { touser: '', template_id: ORDER, data: orderData });
    expect(res.errcode).toBe(41001);
  });

  it('answers 40003 for an empty, unknown or other-app openid', async () => {
    await openid('alice');
    const otherApp = (await h.login('alice', APP2)).openid;
    for (const touser of ['', undefined, 'oAAAAAAAAAAAAAAAAAAAAAAAAAAA', otherApp]) {
      const res = await send({ touser, template_id: ORDER, data: orderData });
      expect(res.errcode).toBe(40003);
      expect(res.errmsg).toMatch(RID);
    }
  });

  it('answers 40037 for a template the app does not have', async () => {
    const touser = await openid('alice');
    expect((await send({ touser, template_id: 'TMPL_NOPE', data: orderData })).errcode).toBe(40037);
    expect((await send({ touser, data: orderData })).errcode).toBe(40037);
  });

  it('answers 47003 naming the field for a key the template lacks or a bad value', async () => {
    const touser = await openid('alice');
    await subscribe('alice', [ORDER]);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...orderData, thing9: { value: 'x' } }, 'thing9'],
      [{ ...orderData, amount2: { value: '32' } }, 'amount2'],
      [{ ...orderData, thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' } }, 'thing1'],
      [{ ...orderData, time3: { value: 1716170400 } }, 'time3'],
      [{ ...orderData, time3: '2025-05-20 10:00' }, 'time3'],
    ];
    for (const [data, key] of cases) {
      const res = await send({ touser, template_id: ORDER, data });
      expect(res.errcode).toBe(47003);
      expect(res.errmsg).toMatch(new RegExp(`^argument invalid! data\\.${key}\\.value invalid, rid: `));
    }
    // the quota was not spent by rejected sends
    expect(h.state.getQuota(touser, ORDER)).toBe(1);
  });

  it('uses the key name when the template maps a key to ""', async () => {
    const touser = await openid('alice');
    await subscribe('alice', [POINTS]);
    const bad = await send({ touser, template_id: POINTS, data: { number1: { value: '10' }, phrase2: { value: '已到账a' } } });
    expect(bad.errmsg).toMatch(/data\.phrase2\.value invalid/);
    const ok = await send({ touser, template_id: POINTS, data: { number1: { value: '10' }, phrase2: { value: '已到账' } } });
    expect(ok.errcode).toBe(0);
  });

  it('answers 41030 for a page that is not released; a query string and a leading / are fine', async () => {
    const touser = await openid('alice');
    await subscribe('alice', [ORDER]);
    expect((await send({ touser, template_id: ORDER, page: 'pages/nope/index', data: orderData })).errcode).toBe(41030);
    expect((await send({ touser, template_id: ORDER, page: '/pages/index/index?a=1', data: orderData })).errcode).toBe(0);
  });

  it('rejects an unknown miniprogram_state or lang with 47003', async () => {
    const touser = await openid('alice');
    await subscribe('alice', [ORDER]);
    expect((await send({ touser, template_id: ORDER, data: orderData, miniprogram_state: 'prod' })).errcode).toBe(47003);
    expect((await send({ touser, template_id: ORDER, data: orderData, lang: 'fr' })).errcode).toBe(47003);
    expect((await send({ touser, template_id: ORDER, data: orderData, miniprogram_state: 'trial', lang: 'en_US' })).errcode).toBe(0);
  });

  it('answers 47001 for a body that is not JSON', async () => {
    expect((await send('{"touser":' as never)).errcode).toBe(47001);
  });
});

describe('an app without a template list', () => {
  let open: Harness;
  beforeAll(async () => (open = await startHarness()));
  afterAll(() => open.close());

  it('accepts any template id and infers types from key names', async () => {
    const touser = (await open.login('alice')).openid;
    expect((await open.post('/dev/subscribe', { user: 'alice', tmplIds: ['ANY_ID'] }))['ANY_ID']).toBe('accept');
    const url = `/cgi-bin/message/subscribe/send?access_token=${await open.token()}`;
    const bad = await open.post(url, { touser, template_id: 'ANY_ID', data: { foo1: { value: 'x' } } });
    expect(bad.errmsg).toMatch(/^argument invalid! data\.foo1\.value invalid/);
    const ok = await open.post(url, { touser, template_id: 'ANY_ID', data: { thing1: { value: 'x' }, amount7: { value: '$1' } } });
    expect(ok.errcode).toBe(0);
  });
});
