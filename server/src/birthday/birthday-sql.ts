// Plain strings, no entities: the birthday benchmark prints this look-up's EXPLAIN, and benchmark scripts run
// under tsx, which cannot load decorated entity modules (README.md, "Toolchain notes").

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/**
 * Joined members born on `dayCount` days of one month, within one member id range, who have no perk for the
 * year yet. `birthday_month = ? AND birthday_day IN (…) AND id BETWEEN ? AND ?` is one narrow range per day
 * on idx_member_birthday (InnoDB appends the primary key to a secondary index, so the id bounds narrow each
 * range too). The perk check is a LEFT JOIN, one eq_ref look-up on uq_birthday_perk_member_year per member:
 * MariaDB rewrites a NOT EXISTS into a materialized NOT IN that scans that whole index, every chunk, and
 * the index grows by a month's members every month. Parameters: birthdayCandidateParams.
 */
export function birthdayCandidatesSql(dayCount: number): string {
  return (
    'SELECT m.id AS id FROM member m' +
    ' LEFT JOIN birthday_perk p ON p.member_id = m.id AND p.year = ?' +
    ` WHERE m.birthday_month = ? AND m.birthday_day IN (${placeholders(dayCount)}) AND m.id BETWEEN ? AND ?` +
    ' AND m.joined_at IS NOT NULL AND p.id IS NULL' +
    ' ORDER BY m.id'
  );
}

export function birthdayCandidateParams(
  window: { month: number; days: number[]; year: number },
  firstMemberId: number,
  lastMemberId: number,
): number[] {
  return [window.year, window.month, ...window.days, firstMemberId, lastMemberId];
}

/** The id span of the members born in the window: only it is cut into chunks (an index-only range scan). */
export function birthdaySpanSql(dayCount: number): string {
  return `SELECT MIN(id) AS first, MAX(id) AS last FROM member WHERE birthday_month = ? AND birthday_day IN (${placeholders(dayCount)})`;
}

/** The coupons' idempotency key for the perk of `year`: the colon keeps it out of what clients may send. */
export function birthdayCouponKey(year: number): string {
  return `birthday:${year}`;
}

/** How many member ids one chunk (one short transaction) spans. */
export const BIRTHDAY_CHUNK_ID_SPAN = 20_000;

/** The chunks covering ids `first`…`last`, aligned to multiples of the span so every run cuts them alike. */
export function birthdayChunks(first: number, last: number, span = BIRTHDAY_CHUNK_ID_SPAN): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  for (let start = Math.floor((first - 1) / span) * span + 1; start <= last; start += span) chunks.push([start, start + span - 1]);
  return chunks;
}
