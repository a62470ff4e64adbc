import { parseJsonLosslessly } from './lossless-json';

describe('parseJsonLosslessly', () => {
  it('keeps integers beyond 2^53 exact as strings, and everything else as JSON.parse has it', () => {
    expect(parseJsonLosslessly('{"errcode":0,"errmsg":"ok","msgid":294402298110051942}')).toEqual({
      errcode: 0,
      errmsg: 'ok',
      msgid: '294402298110051942',
    });
    expect(parseJsonLosslessly('[-9007199254740993, 9007199254740991, 9007199254740992]')).toEqual([
      '-9007199254740993',
      9007199254740991,
      '9007199254740992',
    ]);
    const plain =
      '{"a":"id 294402298110051942 \\" 12345678901234567890","b":1.2345678901234567890,"c":12345678901234567890e2,"d":[1,2.5,-3]}';
    expect(parseJsonLosslessly(plain)).toEqual(JSON.parse(plain));
  });

  it('refuses what is not JSON, like JSON.parse', () => {
    expect(() => parseJsonLosslessly('<html>502</html>')).toThrow(SyntaxError);
  });
});
