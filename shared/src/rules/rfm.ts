/**
 * RFM scoring: recency (days since the last purchase), frequency (purchases in the window) and monetary (spend
 * in the window), each scored 1…5 by quintiles among the members who bought in the window, then a segment from
 * the three scores. Pure, so the rule is tested by table; the server computes the same thresholds with a
 * query and applies them with UPDATE … CASE (server/src/segments/rfm-sql.ts).
 *
 * Quintiles with ties: a value's score is the fifth its rank falls in, a tied value ranked at the first
 * position of its ties. Equal values therefore always score alike, and a crowd of equal values (most buyers
 * bought once) scores where the crowd starts instead of being split at random, as NTILE would split it; the
 * result depends on the data only, so a refresh run twice gives the same scores.
 */
import type { RfmSegment, ScoredRfmSegment } from '../segments';

export type RfmScore = 1 | 2 | 3 | 4 | 5;
export const RFM_SCORE_LEVELS = 5;

/** Which way a metric is better: more purchases and more spend are better, fewer days since the last one are. */
export type Better = 'higher' | 'lower';
export const RFM_BETTER = { recencyDays: 'lower', frequency: 'higher', monetaryFen: 'higher' } as const satisfies Record<string, Better>;

/**
 * Four values, ordered from the worst to the best end: a value beyond the k-th (strictly better than it)
 * scores at least k + 1.
 */
export type QuintileThresholds = readonly [number, number, number, number];

/**
 * The 0-based positions, in `count` values sorted from worst to best, whose values are the thresholds.
 * Level s (1…4) starts after the first ceil(s·count/5) values: a value scores above s exactly when more than
 * that many values are worse than it, i.e. when it is better than the value at position ceil(s·count/5) − 1.
 */
export function quintilePositions(count: number): [number, number, number, number] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`quintiles need at least one value, got ${count}`);
  return [1, 2, 3, 4].map((s) => Math.ceil((s * count) / RFM_SCORE_LEVELS) - 1) as [number, number, number, number];
}

const worstFirst = (better: Better) => (a: number, b: number) => (better === 'higher' ? a - b : b - a);

/** The thresholds of a population of values (any order); null for an empty one. */
export function quintileThresholds(values: readonly number[], better: Better): QuintileThresholds | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort(worstFirst(better));
  return quintilePositions(sorted.length).map((position) => sorted[position]) as unknown as QuintileThresholds;
}

/** 1 + the number of thresholds the value is strictly better than. */
export function quintileScore(value: number, thresholds: QuintileThresholds, better: Better): RfmScore {
  const beats = thresholds.filter((threshold) => (better === 'higher' ? value > threshold : value < threshold)).length;
  return (1 + beats) as RfmScore;
}

export interface RfmScores {
  r: RfmScore;
  f: RfmScore;
  m: RfmScore;
}

/** Inclusive score range [lowest, highest]. */
export type ScoreRange = readonly [number, number];

/** One line of the segment table (config `segments.rules`): the first line whose three ranges all hold wins. */
export interface RfmSegmentRule {
  segment: ScoredRfmSegment;
  r: ScoreRange;
  f: ScoreRange;
  m: ScoreRange;
}

const within = (score: number, [low, high]: ScoreRange) => score >= low && score <= high;

export function ruleMatches(rule: RfmSegmentRule, scores: RfmScores): boolean {
  return within(scores.r, rule.r) && within(scores.f, rule.f) && within(scores.m, rule.m);
}

/** The segment of a scored member: the first matching rule. The table must cover every combination (see below). */
export function rfmSegmentOf(scores: RfmScores, rules: readonly RfmSegmentRule[]): ScoredRfmSegment {
  const rule = rules.find((candidate) => ruleMatches(candidate, scores));
  if (!rule) throw new Error(`no RFM segment rule matches r=${scores.r} f=${scores.f} m=${scores.m}`);
  return rule.segment;
}

/** Score combinations no rule matches: the configuration is refused unless this is empty. */
export function uncoveredScoreCombinations(rules: readonly RfmSegmentRule[]): RfmScores[] {
  const levels = [1, 2, 3, 4, 5] as const;
  const missing: RfmScores[] = [];
  for (const r of levels)
    for (const f of levels) for (const m of levels) if (!rules.some((rule) => ruleMatches(rule, { r, f, m }))) missing.push({ r, f, m });
  return missing;
}

export interface RfmMetrics {
  /** Business days since the last purchase; null when the member never bought. */
  recencyDays: number | null;
  /** Purchases in the window, fully refunded ones left out. */
  frequency: number;
  /** Paid minus refunded in the window. */
  monetaryFen: number;
}

export interface RfmPopulationThresholds {
  recencyDays: QuintileThresholds;
  frequency: QuintileThresholds;
  monetaryFen: QuintileThresholds;
}

/** The thresholds of the scored population: members with at least one purchase in the window. */
export function rfmThresholds(members: readonly RfmMetrics[]): RfmPopulationThresholds | null {
  const scored = members.filter(isScored);
  if (scored.length === 0) return null;
  return {
    recencyDays: quintileThresholds(
      scored.map((m) => m.recencyDays),
      RFM_BETTER.recencyDays,
    )!,
    frequency: quintileThresholds(
      scored.map((m) => m.frequency),
      RFM_BETTER.frequency,
    )!,
    monetaryFen: quintileThresholds(
      scored.map((m) => m.monetaryFen),
      RFM_BETTER.monetaryFen,
    )!,
  };
}

function isScored(member: RfmMetrics): member is RfmMetrics & { recencyDays: number } {
  return member.frequency > 0 && member.recencyDays !== null;
}

/**
 * A member's scores and segment. No purchase in the window: no scores, and `lapsed` when they bought before
 * it, `never_purchased` when they never bought. No thresholds (too few buyers to rank, see
 * `segments.minimumScoredMembers`): no scores, `unranked`. A member who joined within `segments.newMemberDays`
 * (`joinedRecently`) and bought is `new` whatever the scores say: their frequency and spend cover days, not the
 * window the others are ranked over.
 */
export function rfmOf(
  member: RfmMetrics,
  thresholds: RfmPopulationThresholds | null,
  rules: readonly RfmSegmentRule[],
  joinedRecently = false,
): { scores: RfmScores | null; segment: RfmSegment } {
  if (!isScored(member)) return { scores: null, segment: member.recencyDays === null ? 'never_purchased' : 'lapsed' };
  if (!thresholds) return { scores: null, segment: joinedRecently ? 'new' : 'unranked' };
  const scores: RfmScores = {
    r: quintileScore(member.recencyDays, thresholds.recencyDays, RFM_BETTER.recencyDays),
    f: quintileScore(member.frequency, thresholds.frequency, RFM_BETTER.frequency),
    m: quintileScore(member.monetaryFen, thresholds.monetaryFen, RFM_BETTER.monetaryFen),
  };
  return { scores, segment: joinedRecently ? 'new' : rfmSegmentOf(scores, rules) };
}
