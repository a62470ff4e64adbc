import { formatFen, parseYuanToFen } from './money';

describe('money in fen', () => {
  it.each([
    [0, '¥0'],
    [1, '¥0.01'],
    [2000, '¥20'],
    [12345, '¥123.45'],
    [100000000, '¥1,000,000'],
    [-2050, '-¥20.50'],
  ])('formats %i fen as %s', (fen, text) => expect(formatFen(fen)).toBe(text));

  it('keeps cents when asked and rejects non-integers', () => {
    expect(formatFen(2000, { keepCents: true, symbol: false })).toBe('20.00');
    expect(() => formatFen(1.5)).toThrow(RangeError);
  });

  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    [' 0.07 ', 7],
    ['12.345', null],
    ['-1', null],
    ['1e3', null],
    ['', null],
  ])('parses %j as %p fen', (text, fen) => expect(parseYuanToFen(text)).toBe(fen));
});
