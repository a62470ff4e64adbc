// Plain strings, no entities: the birthday benchmark prints this look-up's EXPLAIN, and benchmark scripts run
// under tsx, which cannot load decorated entity modules (README.md, "Toolchain notes").

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** The birthday window a run works on: a month, or one day (29 February's members on the 28th in non-leap years). */
export interface BirthdayWindowDays {
  month: number;
  days: number[];
  year: number;
}

/**
 * The birthday perk's audience over `member m`, as the campaign runner takes it (it adds `m.id BETWEEN ? AND ?`
 * per chunk): joined members born on the window's days who have no perk for the year yet.
 * `birthday_month = ? AND birthday_day IN (…) AND id BETWEEN ? AND ?` is one narrow range per day on
 * idx_member_birthday (InnoDB appends the primary key to a secondary index, so the id bounds narrow each range
 * too). The perk check is a LEFT JOIN, one eq_ref look-up on uq_birthday_perk_member_year per member: MariaDB
 * rewrites a NOT EXISTS into a materialized NOT IN that scans that whole index, every chunk, and the index grows
 * by a month's members every month. Parameters in text order: the year (the join), the month, the days.
 */
export function birthdayAudience(window: BirthdayWindowDays): { from: string; where: string; params: number[] } {
  return {
    from: 'member m LEFT JOIN birthday_perk p ON p.member_id = m.id AND p.year = ?',
    where: `m.birthday_month = ? AND m.birthday_day IN (${placeholders(window.days.length)}) AND m.joined_at IS NOT NULL AND p.id IS NULL`,
    params: [window.year, window.month, ...window.days],
  };
}

/** The audience's look-up for one member id range, as the runner's chunk statement reads it (for EXPLAIN). */
export function birthdayCandidatesSql(dayCount: number): string {
  const audience = birthdayAudience({ month: 0, days: Array.from({ length: dayCount }, () => 0), year: 0 });
  return `SELECT m.id AS id FROM ${audience.from} WHERE (${audience.where}) AND m.id BETWEEN ? AND ?`;
}

export function birthdayCandidateParams(window: BirthdayWindowDays, firstMemberId: number, lastMemberId: number): number[] {
  return [...birthdayAudience(window).params, firstMemberId, lastMemberId];
}

/** The id span of the members born in the window (an index-only range scan). */
export function birthdaySpanSql(dayCount: number): string {
  return `SELECT MIN(id) AS first, MAX(id) AS last FROM member WHERE birthday_month = ? AND birthday_day IN (${placeholders(dayCount)})`;
}

/** The coupons' idempotency key for the perk of `year`: the colon keeps it out of what clients may send. */
export function birthdayCouponKey(year: number): string {
  return `birthday:${year}`;
}
