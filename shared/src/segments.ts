/**
 * Audiences (客户分层): the filters marketing staff combine, the RFM segments they can pick, and the preview that
 * tells them how many members match and how many of those a message could reach. See config/README.md,
 * "Audiences and campaigns"; the scoring rule is in rules/rfm.ts.
 */
import type { LifecycleStatus, TierCode } from './enums';
import type { MessageKind } from './messages';
import type { Fen } from './money';

/**
 * Where a member stands by RFM (recency, frequency, monetary) over the configured window. The first seven come
 * from the member's R/F/M scores (1…5, by quintiles among the members who bought in the window) through the
 * configured rule table (`segments.rules`, first match wins; the defaults are listed below). The last two are
 * for members with no purchase in the window, who get no scores.
 */
export const RfmSegment = {
  /** 高价值: bought recently, often and much (defaults: R ≥ 4, F ≥ 4, M ≥ 4). */
  HighValue: 'high_value',
  /** 忠诚: buys often and not long ago, without the spend of the high-value fifth (R ≥ 3, F ≥ 4). */
  Loyal: 'loyal',
  /** 新客: bought recently but among the least often: mostly first-time buyers (R ≥ 4, F = 1). */
  New: 'new',
  /** 潜力: bought recently and is buying more (R ≥ 4, F 2–3). */
  Potential: 'potential',
  /** 需关注: middling recency, not frequent (R = 3, F ≤ 3). */
  NeedsAttention: 'needs_attention',
  /** 需挽留: used to buy often or much, but not lately (R ≤ 2 with F ≥ 3 or M ≥ 3). */
  AtRisk: 'at_risk',
  /** 沉睡: not lately, and little before (R ≤ 2, F ≤ 2, M ≤ 2). */
  Dormant: 'dormant',
  /** 久未消费: bought before the window, nothing (not refunded) inside it. */
  Lapsed: 'lapsed',
  /** 未消费: joined, never bought. */
  NeverPurchased: 'never_purchased',
  /**
   * 待分层: bought in the window, but too few members did (`segments.minimumScoredMembers`) for quintiles to mean
   * anything. With one buyer r = f = m = 1 and a member who bought five times this morning would read 沉睡.
   */
  Unranked: 'unranked',
} as const;
export type RfmSegment = (typeof RfmSegment)[keyof typeof RfmSegment];
export const RFM_SEGMENTS: readonly RfmSegment[] = Object.values(RfmSegment);

/**
 * The segments the rule table assigns from scores (the others follow from having no purchase in the window, or
 * from a population too small to rank).
 */
export type ScoredRfmSegment = Exclude<RfmSegment, 'lapsed' | 'never_purchased' | 'unranked'>;
export const SCORED_RFM_SEGMENTS: readonly ScoredRfmSegment[] = RFM_SEGMENTS.filter(
  (s): s is ScoredRfmSegment => s !== RfmSegment.Lapsed && s !== RfmSegment.NeverPurchased && s !== RfmSegment.Unranked,
);

/** zh-CN names for the audience builder. */
export const RFM_SEGMENT_LABELS: Record<RfmSegment, string> = {
  high_value: '高价值',
  loyal: '忠诚',
  new: '新客',
  potential: '潜力',
  needs_attention: '需关注',
  at_risk: '需挽留',
  dormant: '沉睡',
  lapsed: '久未消费',
  never_purchased: '未消费',
  unranked: '待分层',
};

/**
 * Who is in an audience: joined members matching every criterion given (AND across criteria, OR within a
 * list). An omitted criterion matches everyone; lists are never empty.
 *
 * - Tier, lifecycle status, birthday month and days since the last purchase are read live from the member.
 *   "Days since" counts business-calendar days: bought today = 0, yesterday = 1. Members who never bought
 *   match neither bound (pick the `never_purchased` segment or the `new` status for them).
 * - 12-month spend and the RFM segment come from the last RFM refresh (see `rfmComputedAt`); members who
 *   joined after it match neither until the next one.
 */
export interface AudienceFilter {
  tiers?: TierCode[];
  lifecycleStatuses?: LifecycleStatus[];
  /** 1…12 */
  birthdayMonths?: number[];
  lastPurchaseDaysMin?: number;
  lastPurchaseDaysMax?: number;
  /** Paid minus refunded over the tier window (config `tierWindowMonths`, 12 by default), inclusive bounds. */
  spendFenMin?: Fen;
  spendFenMax?: Fen;
  rfmSegments?: RfmSegment[];
}

/** POST /api/admin/audiences/preview */
export interface AudiencePreviewRequest {
  filter: AudienceFilter;
  /** Count who could get this kind of message now: a grant left for its template and the kind not switched off. */
  messageKind?: MessageKind;
}

/** A few members of the audience, masked, so staff can sanity-check a filter. */
export interface AudienceSampleMember {
  memberId: number;
  /** First character kept, the rest starred; null when the member set none. */
  nicknameMasked: string | null;
  phoneMasked: string | null;
  tier: TierCode;
  lifecycleStatus: LifecycleStatus;
  /** null until the first RFM refresh after the member joined. */
  rfmSegment: RfmSegment | null;
}

export interface AudiencePreviewResponse {
  /** Joined members matching the filter. */
  size: number;
  /** Of those, how many the chosen message could reach now; null when no messageKind was asked. */
  reachable: number | null;
  messageKind: MessageKind | null;
  /** The WeChat template the kind maps to (config), null without messageKind. */
  templateId: string | null;
  /** At most `segments.previewSampleSize` members of the audience (not a ranking: any few). */
  sample: AudienceSampleMember[];
  /** Whether the filter used RFM data (segment or 12-month spend), which is as of `rfmComputedAt`. */
  usesRfmData: boolean;
  /** When the RFM data was computed (ISO, UTC); null before the first refresh. */
  rfmComputedAt: string | null;
}

/** The four values separating the five score levels of each metric (see rules/rfm.ts). */
export interface RfmThresholdsView {
  recencyDays: number[];
  frequency: number[];
  monetaryFen: number[];
}

/** POST /api/admin/segments/refresh: what the refresh found. */
export interface SegmentsRefreshResponse {
  /** The clock the refresh computed against (ISO, UTC); the preview's `rfmComputedAt`. */
  computedAt: string;
  windowMonths: number;
  /** Joined members with an RFM row. */
  members: number;
  /** Of those, members with a purchase in the window: the population the quintiles are taken over. */
  scoredMembers: number;
  /** Below this many scored members nobody is ranked: buyers are `unranked` (待分层) and thresholds null. */
  minimumScoredMembers: number;
  segments: Record<RfmSegment, number>;
  /** null when fewer than `minimumScoredMembers` bought in the window. */
  thresholds: RfmThresholdsView | null;
  tookMs: number;
}

/** GET /api/admin/segments: the last finished refresh (segment sizes for the audience builder). */
export interface SegmentsOverviewResponse {
  lastRefresh: SegmentsRefreshResponse | null;
}
