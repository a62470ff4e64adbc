// The server's value checks (shared/src/rules/subscribe-values.ts) and the emulator's stand-in for WeChat
// (subscribe-rules.ts) are written apart on purpose. One table goes through both: where they disagree, one
// of them has WeChat's rule wrong, and this is where it shows.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidSubscribeValue, subscribeTypeOfKey } from '@member/shared';
import { acceptsValue, typeFromKey } from './subscribe-rules';

const T20 = '一二三四五六七八九十'.repeat(2);
// [type, value, what WeChat's table (订阅消息 value types) says]
const table: Array<[string, string, boolean]> = [
  ['thing', T20, true],
  ['thing', `${T20}一`, false],
  ['thing', 'Latte x2, ¥32', true],
  ['thing', 'x'.repeat(20), true],
  ['thing', '🎂生日快乐', true],
  ['thing', '', false],
  ['number', '0', true],
  ['number', '3.14', true],
  ['number', '1'.repeat(32), true],
  ['number', '1'.repeat(33), false],
  ['number', '1'.repeat(31) + '.5', true],
  ['number', '1'.repeat(32) + '.5', false],
  ['number', '-5', false],
  ['number', '1.', false],
  ['number', '.5', false],
  ['number', '1.2.3', false],
  ['number', '12a', false],
  ['number', '1 000', false],
  ['letter', 'ABCdef', true],
  ['letter', 'a'.repeat(32), true],
  ['letter', 'a'.repeat(33), false],
  ['letter', 'abc1', false],
  ['letter', 'ab cd', false],
  ['letter', 'é', false],
  ['symbol', '%$#@!', true],
  ['symbol', '¥', true],
  ['symbol', '%%%%%%', false],
  ['symbol', 'a', false],
  ['symbol', '1', false],
  ['symbol', '! !', false],
  ['character_string', 'ORD-2025_0520#7', true],
  ['character_string', 'x'.repeat(32), true],
  ['character_string', 'x'.repeat(33), false],
  ['character_string', '订单123', false],
  ['character_string', 'a b', false],
  ['character_string', '66-1234-5678', true],
  ['time', '15:01', true],
  ['time', '9:05', true],
  ['time', '23:59:59', true],
  ['time', '2025-05-20 15:01', true],
  ['time', '2025年5月20日 15:01', true],
  ['time', '15:01~17:30', true],
  ['time', '15:01 ~ 17:30', true],
  ['time', '2025-05-20 15:01~2025-05-21 09:00', true],
  ['time', '24:00', false],
  ['time', '12:60', false],
  ['time', '12:5', false],
  ['time', 'tomorrow', false],
  ['time', '2025-05-20', false],
  ['time', '15:01~', false],
  ['time', '1:00~2:00~3:00', false],
  ['date', '2025-05-20', true],
  ['date', '2025/5/20', true],
  ['date', '2025.05.20', true],
  ['date', '2025年05月20日', true],
  ['date', '2025-05-20 15:01', true],
  ['date', '2025-05-20 ~ 2025-05-27', true],
  ['date', '2025-05-20 10:00~12:00', true],
  ['date', '2025-13-01', false],
  ['date', '2025-00-10', false],
  ['date', '2025-05-32', false],
  ['date', '20/05/2025', false],
  ['date', '25-05-20', false],
  ['date', '15:01', false],
  ['date', '明天', false],
  ['date', '2025-05-20~', false],
  ['amount', '¥9.90', true],
  ['amount', '￥100元', true],
  ['amount', '$1234567890', true],
  ['amount', '€0.5', true],
  ['amount', '¥12345678901', false],
  ['amount', '¥123456789.01', false],
  ['amount', '9.90', false],
  ['amount', '¥¥9', false],
  ['amount', '¥9.90 元', false],
  ['amount', '¥', false],
  ['amount', '¥-9', false],
  ['amount', '9.90元', false],
  ['phone_number', '+86-13800138000', true],
  ['phone_number', '021-12345678', true],
  ['phone_number', '(021)12345678', true],
  ['phone_number', '1'.repeat(17), true],
  ['phone_number', '1'.repeat(18), false],
  ['phone_number', '138 0013', false],
  ['phone_number', '138x0013', false],
  ['car_number', '粤A8Z888挂', true],
  ['car_number', '京A12345', true],
  ['car_number', 'WJ12345', true],
  ['car_number', '粤A8Z8888挂', false],
  ['car_number', '粤A8中88', false],
  ['car_number', '京A-12345', false],
  ['name', '张三', true],
  ['name', '阿凡提·买买提', true],
  ['name', '一二三四五六七八九十', true],
  ['name', '一二三四五六七八九十一', false],
  ['name', 'John Smith', true],
  ['name', "Mary-Jane O'Neil", true],
  ['name', 'A'.repeat(20), true],
  ['name', 'A'.repeat(21), false],
  ['name', 'R2D2', false],
  ['name', '张3', false],
  ['phrase', '已发货', true],
  ['phrase', '一二三四五', true],
  ['phrase', '一二三四五六', false],
  ['phrase', '已发货a', false],
  ['phrase', '已 发货', false],
  ['phrase', '已发货！', false],
  ['enum', '已完成', true],
  ['enum', 'x'.repeat(21), false],
  ['widget', 'x', false],
];

describe('WeChat value rules: the server’s and the emulator’s, written apart, agree', () => {
  it.each(table)('%s %j → %s', (type, value, wechat) => {
    expect({ server: isValidSubscribeValue(type, value), emulator: acceptsValue(type, value) }).toEqual({
      server: wechat,
      emulator: wechat,
    });
  });

  it('covers every type of WeChat’s table', () => {
    const types = new Set(table.map(([type]) => type));
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
      'enum',
    ]) {
      expect(types).toContain(type);
    }
  });

  it.each(['thing1', 'character_string12', 'phone_number3', 'thing', '1', 'Thing1', 'thing_'])('reads the type of key %j alike', (key) => {
    expect(typeFromKey(key)).toBe(subscribeTypeOfKey(key));
  });

  it('keeps the emulator free of the server’s code: no emulator source imports shared/', () => {
    const sources: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) sources.push(path);
      }
    };
    walk(__dirname);
    const importing = sources.filter((path) => /from\s+['"](@member\/shared|[./]*shared\/)/.test(readFileSync(path, 'utf8')));
    expect(importing).toEqual([]);
  });
});
