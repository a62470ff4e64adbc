// Value rules per type, end to end: each sample is sent as "<type>1" to an app without a template
// list (types come from key names), and must pass (errcode 0) or fail with 47003 naming the key.
import { type Harness, startHarness } from './harness';
import { SUBSCRIBE_PHRASES } from '@member/shared';
import { typeFromKey } from './subscribe-rules';

const THING_20 = '一二三四五六七八九十一二三四五六七八九十';
const samples: Array<[type: string, value: string, valid: boolean]> = [
  ['thing', THING_20, true],
  ['thing', THING_20 + '一', false],
  ['thing', 'Latte x2, ¥32', true],
  ['thing', '', false],
  ['number', '12345678901234567890123456789012', true],
  ['number', '123456789012345678901234567890123', false],
  ['number', '3.14', true],
  ['number', '12a', false],
  ['number', '-5', false],
  ['letter', 'ABCdef', true],
  ['letter', 'A'.repeat(33), false],
  ['letter', 'abc1', false],
  ['symbol', '%$#@!', true],
  ['symbol', '%%%%%%', false],
  ['symbol', 'a', false],
  ['character_string', 'ORD-2025_0520#7', true],
  ['character_string', 'x'.repeat(33), false],
  ['character_string', '订单123', false],
  ['character_string', 'a b', false],
  ['time', '15:01', true],
  ['time', '2025-05-20 15:01', true],
  ['time', '2025年5月20日 15:01', true],
  ['time', '15:01~17:30', true],
  ['time', '25:00', false],
  ['time', 'tomorrow', false],
  ['date', '2025-05-20', true],
  ['date', '2025年05月20日', true],
  ['date', '2025-05-20 15:01', true],
  ['date', '2025-05-20 ~ 2025-05-27', true],
  ['date', '2025-13-01', false],
  ['date', '20/05/2025', false],
  ['amount', '¥9.90', true],
  ['amount', '￥100元', true],
  ['amount', '$1234567890', true],
  ['amount', '¥12345678901', false],
  ['amount', '9.90', false],
  ['amount', '¥¥9', false],
  ['amount', '¥9.90 元', false],
  ['phone_number', '+86-13800138000', true],
  ['phone_number', '021-12345678', true],
  ['phone_number', '123456789012345678', false],
  ['phone_number', '138 0013', false],
  ['car_number', '粤A8Z888挂', true],
  ['car_number', '京A12345', true],
  ['car_number', '粤A8Z8888挂', false],
  ['car_number', '粤A8中88', false],
  ['name', '张三', true],
  ['name', '阿凡提·买买提', true],
  ['name', '一二三四五六七八九十一', false],
  ['name', 'John Smith', true],
  ['name', 'A'.repeat(21), false],
  ['name', 'R2D2', false],
  ['phrase', '已发货', true],
  ['phrase', '一二三四', true],
  // WeChat refuses some 5-character phrases in practice; the emulator refuses them all (subscribe-rules.ts).
  ['phrase', '一二三四五', false],
  ['phrase', '一二三四五六', false],
  ['phrase', '已发货a', false],
  ['phrase', '已 发货', false],
];

let h: Harness;
let url: string;
let touser: string;
beforeAll(async () => {
  h = await startHarness();
  url = `/cgi-bin/message/subscribe/send?access_token=${await h.token()}`;
  touser = (await h.login('alice')).openid;
});
afterAll(() => h.close());

it('covers every type', () => {
  const types = new Set(samples.map(([type]) => type));
  for (const type of [
    'thing',
    'number',
    'letter',
    'symbol',
    'character_string',
    'time',
    'date',
    'amount',
    'phone_number',
    'car_number',
    'name',
    'phrase',
  ]) {
    expect(types).toContain(type);
  }
});

it.each(samples)('%s %j valid=%s', async (type, value, valid) => {
  await h.post('/dev/subscribe', { user: 'alice', tmplIds: ['T'] });
  const key = `${type}1`;
  const res = await h.post(url, { touser, template_id: 'T', data: { [key]: { value } } });
  if (valid) {
    expect(res).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) }); // rounded by JSON.parse: only its presence matters here
  } else {
    expect(res.errcode).toBe(47003);
    expect(res.errmsg).toMatch(new RegExp(`^argument invalid! data\\.${key}\\.value invalid, rid: `));
  }
});

// The server sends phrases from its fixed list only; each must get through (a test, not a promise).
it.each(SUBSCRIBE_PHRASES.map((phrase) => [phrase]))('takes the server’s phrase %s', async (phrase) => {
  await h.post('/dev/subscribe', { user: 'alice', tmplIds: ['T'] });
  expect(await h.post(url, { touser, template_id: 'T', data: { phrase1: { value: phrase } } })).toMatchObject({ errcode: 0 });
});

it('reads the type from the key name', () => {
  expect(typeFromKey('thing1')).toBe('thing');
  expect(typeFromKey('character_string12')).toBe('character_string');
  expect(typeFromKey('phone_number3')).toBe('phone_number');
  expect(typeFromKey('thing')).toBeUndefined();
});
