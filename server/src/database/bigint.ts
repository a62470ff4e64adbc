/**
 * A BIGINT column read as a JS number: mysql2 returns BIGINT as a string (TypeORM sets bigNumberStrings), but the
 * API promises numbers. Safe for our columns: points and fen stay far below 2^53; anything beyond is a bug, and
 * is refused rather than rounded.
 */
export const bigintAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null): number | null => {
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) throw new RangeError(`BIGINT ${value} is beyond 2^53`);
    return number;
  },
};
