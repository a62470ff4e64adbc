// Plain strings, no entities: the audience benchmark prints these queries' EXPLAIN, and benchmark scripts run
// under tsx, which cannot load decorated entity modules (README.md, "Toolchain notes").
import type { AudienceFilter } from '@member/shared';
import { addBusinessDays } from '../common/clock';
import { GRANT_REACH_INDEX, reachCondition, reachJoin } from '../messages/message-reach';

export { GRANT_REACH_INDEX };

export interface AudienceQueryContext {
  now: Date;
  /** The business calendar: "days since the last purchase" counts its days. */
  timeZone: string;
  /** A Date as the driver wants it as a parameter (sqlDate). */
  date: (value: Date) => unknown;
  /** MySQL/MariaDB: pin the counts to the audience indexes (see `countFrom`). Off for SQLite, which has no such hints. */
  indexHints?: boolean;
}

/**
 * An audience as SQL pieces: `SELECT … FROM ${from} WHERE ${where}` with `params`. Aliases: `m` = member,
 * `r` = member_rfm; `memberId` names the member id column of whichever of them drives.
 */
export interface AudienceQuery {
  /** Plain: for statements of any shape (issuing to the audience by member id range uses the primary key). */
  from: string;
  /**
   * The same tables for the preview's counts, limited on MySQL to the audience indexes: with the primary keys
   * out of reach, no plan reads the wide member or member_rfm rows, and no count uses idx_member_birthday,
   * which would read the member row of every birthday to check joined_at (0.8 s for a month of a million
   * members, against 0.2 s for a whole pass over idx_member_audience).
   */
  countFrom: string;
  where: string;
  params: unknown[];
  memberId: string;
  /** Whether any criterion reads the RFM snapshot (segment, 12-month spend). */
  usesRfmData: boolean;
}

const marks = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/**
 * The filter as one WHERE over at most two tables, so every count is a single statement MySQL can answer from
 * indexes alone. Member-side criteria read idx_member_audience (tier, lifecycle_status, birthday_month,
 * last_purchase_at, joined_at: a range when tiers are given, else one pass over it), RFM ones
 * idx_member_rfm_segment (segment, spend_12m_fen) or idx_member_rfm_spend. When the other table (or the grants)
 * drives, each member is found in the id-led copies, idx_member_audience_id and idx_member_rfm_id. All are
 * covering: no count reads a table row.
 *
 * With RFM criteria only, member is left out altogether: member_rfm holds joined members only (the refresh
 * writes no others, and joining cannot be undone), so the count is one index range on member_rfm.
 */
export function audienceQuery(filter: AudienceFilter, context: AudienceQueryContext): AudienceQuery {
  const memberSide: string[] = [];
  const rfmSide: string[] = [];
  const memberParams: unknown[] = [];
  const rfmParams: unknown[] = [];

  if (filter.tiers) {
    memberSide.push(`m.tier IN (${marks(filter.tiers.length)})`);
    memberParams.push(...filter.tiers);
  }
  if (filter.lifecycleStatuses) {
    memberSide.push(`m.lifecycle_status IN (${marks(filter.lifecycleStatuses.length)})`);
    memberParams.push(...filter.lifecycleStatuses);
  }
  if (filter.birthdayMonths) {
    memberSide.push(`m.birthday_month IN (${marks(filter.birthdayMonths.length)})`);
    memberParams.push(...filter.birthdayMonths);
  }
  // "Bought at least N days ago": on or before the business date N days back, i.e. before the next day began.
  if (filter.lastPurchaseDaysMin !== undefined) {
    memberSide.push('m.last_purchase_at < ?');
    memberParams.push(context.date(addBusinessDays(context.now, 1 - filter.lastPurchaseDaysMin, context.timeZone)));
  }
  // "Bought within the last N days": on or after the business date N days back.
  if (filter.lastPurchaseDaysMax !== undefined) {
    memberSide.push('m.last_purchase_at >= ?');
    memberParams.push(context.date(addBusinessDays(context.now, -filter.lastPurchaseDaysMax, context.timeZone)));
  }
  if (filter.rfmSegments) {
    rfmSide.push(`r.segment IN (${marks(filter.rfmSegments.length)})`);
    rfmParams.push(...filter.rfmSegments);
  }
  if (filter.spendFenMin !== undefined) {
    rfmSide.push('r.spend_12m_fen >= ?');
    rfmParams.push(filter.spendFenMin);
  }
  if (filter.spendFenMax !== undefined) {
    rfmSide.push('r.spend_12m_fen <= ?');
    rfmParams.push(filter.spendFenMax);
  }

  const usesRfmData = rfmSide.length > 0;
  const hinted = context.indexHints === true;
  const member = (alias: string) => `member ${alias}${hinted ? ` FORCE INDEX (${MEMBER_AUDIENCE_INDEXES.join(', ')})` : ''}`;
  const rfm = `member_rfm r${hinted ? ` FORCE INDEX (${RFM_AUDIENCE_INDEXES.join(', ')})` : ''}`;
  if (usesRfmData && memberSide.length === 0) {
    return { from: 'member_rfm r', countFrom: rfm, where: rfmSide.join(' AND '), params: rfmParams, memberId: 'r.member_id', usesRfmData };
  }
  // Only joined members are an audience (they accepted the privacy terms); a bare visitor has a member row too.
  const where = ['m.joined_at IS NOT NULL', ...memberSide, ...rfmSide].join(' AND ');
  return {
    from: usesRfmData ? 'member m JOIN member_rfm r ON r.member_id = m.id' : 'member m',
    countFrom: usesRfmData ? `${member('m')} JOIN ${rfm} ON r.member_id = m.id` : member('m'),
    where,
    params: [...memberParams, ...rfmParams],
    memberId: 'm.id',
    usesRfmData,
  };
}

/** The Segments migration's indexes the counts are pinned to on MySQL (the benchmark's baseline ignores them). */
export const MEMBER_AUDIENCE_INDEXES = ['idx_member_audience', 'idx_member_audience_id'];
export const RFM_AUDIENCE_INDEXES = ['idx_member_rfm_segment', 'idx_member_rfm_spend', 'idx_member_rfm_id'];

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

export function audienceCountSql(query: AudienceQuery): SqlStatement {
  return { sql: `SELECT COUNT(*) AS n FROM ${query.countFrom} WHERE ${query.where}`, params: query.params };
}

/**
 * Of the audience, who a message of `kind` (template `templateId`) could reach now: messages' one reach rule
 * (message-reach.ts: a grant left for the template, the kind not switched off), over the audience's count tables.
 * On MySQL the grants are pinned to idx_message_grant_reach, so the look-ups into the audience's id-led indexes
 * go in member id order.
 */
export function reachableCountSql(
  query: AudienceQuery,
  templateId: string,
  kind: string,
  options: { indexHints?: boolean } = {},
): SqlStatement {
  return {
    sql:
      `SELECT COUNT(*) AS n FROM ${query.countFrom} ${reachJoin(query.memberId, options)}` +
      ` WHERE ${query.where} AND ${reachCondition(query.memberId)}`,
    params: [templateId, ...query.params, kind],
  };
}

/**
 * A few members of the audience for the preview: any `limit` the count's own plan meets first (no ORDER BY, so
 * the database stops as soon as it has them instead of sorting the audience), then their display columns.
 */
export function audienceSampleSql(query: AudienceQuery, limit: number): SqlStatement {
  return {
    sql:
      'SELECT m.id AS memberId, m.nickname AS nickname, m.phone_masked AS phoneMasked, m.tier AS tier,' +
      ' m.lifecycle_status AS lifecycleStatus, rs.segment AS rfmSegment' +
      ` FROM (SELECT ${query.memberId} AS id FROM ${query.countFrom} WHERE ${query.where} LIMIT ?) picked` +
      ' JOIN member m ON m.id = picked.id LEFT JOIN member_rfm rs ON rs.member_id = picked.id',
    params: [...query.params, limit],
  };
}
