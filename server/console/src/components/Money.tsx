/** ¥1,234.50 from integer fen: the one money format of the console. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  return `${sign}¥${(Math.abs(fen) / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** 31.2% from a permille. */
export function formatPermille(permille: number): string {
  return `${(permille / 10).toFixed(1)}%`;
}
