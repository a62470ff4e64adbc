/**
 * Money is an integer number of fen (¥1 = 100 fen) everywhere. These helpers are the only place that turns
 * fen into text or text into fen, so no float ever touches an amount.
 */
export type Fen = number;

export function assertFen(value: number, what = 'amount'): Fen {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be an integer number of fen, got ${value}`);
  return value;
}

/** 12345 → "¥123.45"; 2000 → "¥20" (trailing zeros dropped when there are no cents). */
export function formatFen(fen: Fen, options: { symbol?: boolean; keepCents?: boolean } = {}): string {
  assertFen(fen);
  const { symbol = true, keepCents = false } = options;
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  const grouped = yuan.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const body = cents === 0 && !keepCents ? grouped : `${grouped}.${cents.toString().padStart(2, '0')}`;
  return `${sign}${symbol ? '¥' : ''}${body}`;
}

/** Parses what a person types ("12", "12.5", "12.50") into fen; null for anything else (never rounds). */
export function parseYuanToFen(text: string): Fen | null {
  const match = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  const cents = (match[2] ?? '').padEnd(2, '0');
  return Number(match[1]) * 100 + Number(cents);
}
