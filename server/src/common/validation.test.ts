import { avatarUrl, decimalInt, idParam, jsonHasExponentNumber, plainText } from './validation';

describe('shared field rules', () => {
  it('takes numbers in paths and queries in plain decimal only', () => {
    for (const bad of ['1e3', '0x10', ' 12', '12 ', '+5', '-1', '', '012', '1.0', '0', '2147483648', 'Infinity', '１２'])
      expect(idParam.safeParse(bad).success).toBe(false);
    expect(idParam.parse('12')).toBe(12);
    expect(idParam.parse('2147483647')).toBe(2147483647);
    expect(decimalInt(0, 10).parse('0')).toBe(0);
  });

  it('refuses control and text-direction characters in free text', () => {
    const name = plainText(1, 32);
    for (const bad of [
      'A\u202Egnp.exe',
      'a\u2066b\u2069',
      'tab\there',
      'nul\u0000',
      'zero\u200Bwidth',
      'b\uFEFFom',
      'lone \uD800 surrogate',
      'line\u2028sep',
      'del\u007F',
      'c1\u0085',
    ])
      expect(name.safeParse(bad).success).toBe(false);
    expect(name.parse('  王小明 🙂 ')).toBe('王小明 🙂');
    expect(plainText(0, 200, { multiline: true }).parse('第一行\n第二行')).toBe('第一行\n第二行');
    expect(plainText(0, 200, { multiline: true }).safeParse('x\u202Ey').success).toBe(false);
  });

  it('takes avatar URLs only from our own media or WeChat avatar hosts over https', () => {
    const sha = 'a'.repeat(64);
    for (const good of [`/api/media/avatars/${sha}`, 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132', 'https://wx.qlogo.cn/mmhead/xyz/0'])
      expect(avatarUrl.safeParse(good).success).toBe(true);
    for (const bad of [
      'http://thirdwx.qlogo.cn/x',
      'https://evil.example/x.png',
      'https://thirdwx.qlogo.cn.evil.example/x',
      'https://user@thirdwx.qlogo.cn/x',
      'https://thirdwx.qlogo.cn:8443/x',
      'javascript:alert(1)',
      `/api/media/avatars/${sha}/../../x`,
      'data:image/png;base64,AAAA',
    ]) {
      expect([bad, avatarUrl.safeParse(bad).success]).toEqual([bad, false]);
    }
  });

  it('finds exponents in JSON numbers but not in strings or literals', () => {
    expect(jsonHasExponentNumber('{"amountFen":1e3}')).toBe(true);
    expect(jsonHasExponentNumber('{"amountFen":12E+2}')).toBe(true);
    expect(jsonHasExponentNumber('{"a":1.5e-3}')).toBe(true);
    expect(jsonHasExponentNumber('{"code":"1e3","ok":true,"no":false,"n":null,"x":"\\"2e2"}')).toBe(false);
    expect(jsonHasExponentNumber('{"amountFen":1000}')).toBe(false);
  });
});
