import { fitSubscribeValue, isValidSubscribeValue, renderSubscribeData, SUBSCRIBE_PHRASES } from './subscribe-values';

describe('subscribe message values', () => {
  it('fits long things and Chinese names, and leaves other types alone', () => {
    expect(fitSubscribeValue('thing', '一二三四五六七八九十一二三四五六七八九十一')).toBe('一二三四五六七八九十一二三四五六七八九…');
    expect(isValidSubscribeValue('thing', fitSubscribeValue('thing', 'x'.repeat(50)))).toBe(true);
    expect(fitSubscribeValue('thing', '  满200减20  ')).toBe('满200减20');
    expect(fitSubscribeValue('name', '欧阳一二三四五六七八九')).toBe('欧阳一二三四五六七八');
    expect(fitSubscribeValue('amount', '¥20.00')).toBe('¥20.00');
  });

  it('renders a template from the member’s own values', () => {
    const result = renderSubscribeData(
      { thing1: '{couponName}', date2: '{expiresOn}', amount3: '¥{valueYuan}', thing4: '您好，{name}，券已到账' },
      { couponName: '满200减20（全场通用，限悦享旗舰店及万象城店使用）', expiresOn: '2026-12-09', valueYuan: '20.00', name: '小王' },
    );
    expect(result).toEqual({
      ok: true,
      data: {
        thing1: { value: '满200减20（全场通用，限悦享旗舰店…' },
        date2: { value: '2026-12-09' },
        amount3: { value: '¥20.00' },
        thing4: { value: '您好，小王，券已到账' },
      },
    });
  });

  it('refuses what WeChat would refuse: a missing variable, an unknown type, a value that cannot be fitted', () => {
    const result = renderSubscribeData(
      { thing1: '{couponName}', phrase2: '{status}', widget3: 'x', date4: '{when}' },
      { couponName: '', status: '已经到账啦', when: '明天' },
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { key: 'thing1', reason: 'no value for {couponName}' },
        { key: 'phrase2', reason: '"已经到账啦" is not one of our tested phrases' },
        { key: 'widget3', reason: 'unknown field type' },
        { key: 'date4', reason: '"明天" is not a valid date' },
      ],
    });
    expect(renderSubscribeData({ phrase2: '{status}' }, { status: '已到账了吗啊' })).toMatchObject({ ok: false });
    expect(renderSubscribeData({ character_string1: '{code}' }, { code: 'AB-12' }, { character_string1: 'phrase' })).toMatchObject({
      ok: false,
    });
  });

  it('puts only phrases from the fixed, tested list into phrase fields: WeChat refuses some valid-looking ones', () => {
    expect(renderSubscribeData({ phrase1: '{status}', phrase2: '已到账' }, { status: '即将过期' })).toEqual({
      ok: true,
      data: { phrase1: { value: '即将过期' }, phrase2: { value: '已到账' } },
    });
    // Four Chinese characters pass WeChat's documented rule, but this one was never tried: not sent.
    expect(isValidSubscribeValue('phrase', '马上到账')).toBe(true);
    expect(renderSubscribeData({ phrase1: '{status}' }, { status: '马上到账' })).toEqual({
      ok: false,
      problems: [{ key: 'phrase1', reason: '"马上到账" is not one of our tested phrases' }],
    });
    for (const phrase of SUBSCRIBE_PHRASES) expect(Array.from(phrase).length).toBeLessThanOrEqual(4);
  });
});
