import { formatFen as formatFenShared } from '@member/shared';

/** ¥1,234.50 from integer fen: the shared formatter (integer arithmetic), always with cents in the console's tables. */
export function formatFen(fen: number): string {
  return formatFenShared(Math.round(fen), { keepCents: true });
}

/** 31.2% from a permille. */
export function formatPermille(permille: number): string {
  return `${(permille / 10).toFixed(1)}%`;
}
