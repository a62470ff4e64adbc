// Plain strings, no entities: the refresh's statements for MySQL/MariaDB and for the embedded SQLite (sql.js),
// kept apart from the job so the benchmark can read them (it runs under tsx; README.md, "Toolchain notes").
import {
  RFM_BETTER,
  RfmSegment,
  type Better,
  type QuintileThresholds,
  type RfmPopulationThresholds,
  type RfmSegmentRule,
} from '@member/shared';
import { greatest, intDiv, overwrite, secondsBetween, upsert, type DialectSource } from '../database/dialect';

/** A connection, or the dialect's name where a statement is built without one (the benchmark). */
export type Dialect = DialectSource;

/** How many member ids one refresh statement spans (one short transaction each). */
export const RFM_CHUNK_ID_SPAN = 20_000;

/** The chunks covering ids `first`…`last`, aligned to multiples of the span so every run cuts them alike. */
export function rfmChunks(first: number, last: number, span = RFM_CHUNK_ID_SPAN): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  for (let start = Math.floor((first - 1) / span) * span + 1; start <= last; start += span) chunks.push([start, start + span - 1]);
  return chunks;
}

const SECONDS_PER_DAY = 86_400;

/**
 * Business days from `last` to the day starting at `?` (today's local midnight): ⌈seconds / 86,400⌉, so a
 * purchase at any time yesterday is 1 and one today is 0. Exact in zones without daylight saving (Asia/Shanghai);
 * in others a purchase within an hour of midnight may count a day off around the change.
 */
function recencyDaysSql(dialect: Dialect, last: string): string {
  return greatest(dialect, '0', intDiv(dialect, `${secondsBetween(dialect, last, '?')} + ${SECONDS_PER_DAY - 1}`, String(SECONDS_PER_DAY)));
}

export interface MeasureParams {
  /** Local midnight starting today (business calendar). */
  startOfToday: unknown;
  /** Purchases after this count for frequency and monetary. */
  rfmSince: unknown;
  /** Purchases after this count for the 12-month spend (the tier window, as spendInWindow counts it). */
  spendSince: unknown;
  /** The earlier of the two: older purchases are not read at all. */
  purchasesSince: unknown;
  computedAt: unknown;
  firstMemberId: number;
  lastMemberId: number;
}

/**
 * Pass 1, one id range: every joined member's metrics, upserted (scores and segment untouched; pass 2 sets
 * them). One INSERT … SELECT: member by primary key range, purchases through idx_purchase_member_time, only
 * the part of each member's history inside the longer of the two windows. Recency comes from
 * member.last_purchase_at, the column the "days since the last purchase" criterion reads, so the R score and
 * that criterion agree; a member whose purchases were imported without it falls back to the purchases.
 * Fully refunded purchases are not visits (as in the membership review); partial refunds lower the spend.
 */
export function measureChunkSql(dialect: Dialect, params: MeasureParams): { sql: string; params: unknown[] } {
  const aggregate =
    'SELECT m.id AS id,' +
    ' COALESCE(m.last_purchase_at, MAX(CASE WHEN p.refunded_fen < p.paid_fen THEN p.purchased_at END)) AS last_at,' +
    ' COALESCE(SUM(CASE WHEN p.purchased_at > ? AND p.refunded_fen < p.paid_fen THEN 1 ELSE 0 END), 0) AS frequency,' +
    ' COALESCE(SUM(CASE WHEN p.purchased_at > ? THEN p.paid_fen - p.refunded_fen ELSE 0 END), 0) AS monetary,' +
    ' COALESCE(SUM(CASE WHEN p.purchased_at > ? THEN p.paid_fen - p.refunded_fen ELSE 0 END), 0) AS spend' +
    ' FROM member m LEFT JOIN purchase p ON p.member_id = m.id AND p.purchased_at > ?' +
    ' WHERE m.id BETWEEN ? AND ? AND m.joined_at IS NOT NULL' +
    ' GROUP BY m.id, m.last_purchase_at';
  const select =
    'INSERT INTO member_rfm (member_id, recency_days, frequency, monetary_fen, spend_12m_fen, computed_at)' +
    ` SELECT a.id, CASE WHEN a.last_at IS NULL THEN NULL ELSE ${recencyDaysSql(dialect, 'a.last_at')} END,` +
    ' a.frequency, a.monetary, a.spend, ?' +
    ` FROM (${aggregate}) a`;
  const columns = ['recency_days', 'frequency', 'monetary_fen', 'spend_12m_fen', 'computed_at'];
  return {
    sql: upsert(dialect, select, { conflict: ['member_id'], set: overwrite(columns), fromSelect: true }),
    params: [
      params.startOfToday,
      params.computedAt,
      params.rfmSince,
      params.rfmSince,
      params.spendSince,
      params.purchasesSince,
      params.firstMemberId,
      params.lastMemberId,
    ],
  };
}

/** The scored population: members with a purchase in the window. */
export const SCORED_COUNT_SQL = 'SELECT COUNT(*) AS n FROM member_rfm WHERE frequency > 0';

export type RfmMetricColumn = 'recency_days' | 'frequency' | 'monetary_fen';
const BETTER_OF: Record<RfmMetricColumn, Better> = {
  recency_days: RFM_BETTER.recencyDays,
  frequency: RFM_BETTER.frequency,
  monetary_fen: RFM_BETTER.monetaryFen,
};

/**
 * The values at the quintile positions (quintilePositions) of one metric, its values sorted worst to best:
 * one sort of the scored population per metric, ROW_NUMBER on both MariaDB ≥ 10.2 and SQLite ≥ 3.25.
 * Parameters: the four positions. Answers rows of (pos, v).
 */
export function thresholdSql(column: RfmMetricColumn): string {
  const order = BETTER_OF[column] === 'higher' ? 'ASC' : 'DESC';
  return (
    'SELECT ranked.pos AS pos, ranked.v AS v' +
    ` FROM (SELECT ${column} AS v, ROW_NUMBER() OVER (ORDER BY ${column} ${order}) - 1 AS pos FROM member_rfm WHERE frequency > 0) ranked` +
    ' WHERE ranked.pos IN (?, ?, ?, ?)'
  );
}

const literal = (value: number) => {
  if (!Number.isSafeInteger(value)) throw new Error(`RFM threshold ${value} is not an integer`);
  return String(value);
};

/** The quintileScore rule as a CASE over the column: the best level whose threshold the value beats. */
function scoreSql(column: RfmMetricColumn, thresholds: QuintileThresholds): string {
  const beats = BETTER_OF[column] === 'higher' ? '>' : '<';
  const levels = [4, 3, 2, 1].map((index) => `WHEN ${column} ${beats} ${literal(thresholds[index - 1])} THEN ${index + 1}`);
  return `CASE ${levels.join(' ')} ELSE 1 END`;
}

const segmentLiteral = (segment: string) => {
  if (!/^[a-z_]+$/.test(segment)) throw new Error(`unexpected segment name ${segment}`);
  return `'${segment}'`;
};

/**
 * Pass 2, one id range: scores and segment from the population's thresholds, by UPDATE … CASE. The segment's
 * CASE repeats the score expressions instead of reading the new score columns: MySQL would see the new values
 * within the same UPDATE, SQLite the old ones. No thresholds (too few buyers to rank): buyers get no scores and
 * the `unranked` segment. With `newMembers`, a buyer who joined after the first parameter is `new` whatever the
 * scores say (rules/rfm.ts, rfmOf, says why); the joined date is read from member by primary key, only for
 * buyers. Parameters: [joined-after, when `newMembers`,] first and last member id.
 */
export function scoreChunkSql(
  thresholds: RfmPopulationThresholds | null,
  rules: readonly RfmSegmentRule[],
  options: { newMembers?: boolean } = {},
): string {
  const unscored =
    `WHEN frequency = 0 AND recency_days IS NULL THEN ${segmentLiteral(RfmSegment.NeverPurchased)}` +
    ` WHEN frequency = 0 THEN ${segmentLiteral(RfmSegment.Lapsed)}` +
    (options.newMembers
      ? ` WHEN (SELECT m.joined_at FROM member m WHERE m.id = member_rfm.member_id) > ? THEN ${segmentLiteral(RfmSegment.New)}`
      : '');
  if (!thresholds) {
    return (
      'UPDATE member_rfm SET r_score = NULL, f_score = NULL, m_score = NULL,' +
      ` segment = CASE ${unscored} ELSE ${segmentLiteral(RfmSegment.Unranked)} END` +
      ' WHERE member_id BETWEEN ? AND ?'
    );
  }
  const score = {
    r: scoreSql('recency_days', thresholds.recencyDays),
    f: scoreSql('frequency', thresholds.frequency),
    m: scoreSql('monetary_fen', thresholds.monetaryFen),
  };
  const ruleSql = rules.map((rule) => {
    const conditions = (['r', 'f', 'm'] as const)
      .filter((axis) => !(rule[axis][0] <= 1 && rule[axis][1] >= 5))
      .map((axis) => `(${score[axis]}) BETWEEN ${literal(rule[axis][0])} AND ${literal(rule[axis][1])}`);
    return `WHEN ${conditions.length ? conditions.join(' AND ') : '1 = 1'} THEN ${segmentLiteral(rule.segment)}`;
  });
  return (
    'UPDATE member_rfm SET' +
    ` r_score = CASE WHEN frequency = 0 THEN NULL ELSE ${score.r} END,` +
    ` f_score = CASE WHEN frequency = 0 THEN NULL ELSE ${score.f} END,` +
    ` m_score = CASE WHEN frequency = 0 THEN NULL ELSE ${score.m} END,` +
    ` segment = CASE ${unscored} ${ruleSql.join(' ')} ELSE NULL END` +
    ' WHERE member_id BETWEEN ? AND ?'
  );
}

/** Members per segment after a refresh (an index-only pass over idx_member_rfm_segment). */
export const SEGMENT_COUNTS_SQL = 'SELECT segment, COUNT(*) AS n FROM member_rfm GROUP BY segment';
