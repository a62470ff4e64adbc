/**
 * Service recovery (投诉与反馈): a member's feedback or complaint, the staff queue with first-response
 * deadlines by channel, replies, a resolution with goodwill (a coupon or points for that one member), and the
 * member's rating. Also the admins' manual points adjustments, which share the goodwill ledger.
 */
import type { Fen } from './money';

export const FeedbackKind = { Feedback: 'feedback', Complaint: 'complaint' } as const;
export type FeedbackKind = (typeof FeedbackKind)[keyof typeof FeedbackKind];
export const FEEDBACK_KINDS: readonly FeedbackKind[] = Object.values(FeedbackKind);

/** What the case is about; the Chinese labels come from config (feedback.categories). */
export const FeedbackCategory = {
  /** 商品质量 */
  Quality: 'quality',
  /** 服务态度 */
  Service: 'service',
  /** 收银/价格 */
  Checkout: 'checkout',
  /** 优惠券/积分 */
  Benefits: 'benefits',
  /** 环境 */
  Environment: 'environment',
  /** 其他 */
  Other: 'other',
} as const;
export type FeedbackCategory = (typeof FeedbackCategory)[keyof typeof FeedbackCategory];
export const FEEDBACK_CATEGORIES: readonly FeedbackCategory[] = Object.values(FeedbackCategory);

/** Online: the member raised it in the app. Store: a clerk logged it at the till for an identified member. */
export const FeedbackChannel = { Online: 'online', Store: 'store' } as const;
export type FeedbackChannel = (typeof FeedbackChannel)[keyof typeof FeedbackChannel];
export const FEEDBACK_CHANNELS: readonly FeedbackChannel[] = Object.values(FeedbackChannel);

/** open → responded (first staff reply) → resolved (with or without goodwill) → closed (the member rated it). */
export const FeedbackStatus = { Open: 'open', Responded: 'responded', Resolved: 'resolved', Closed: 'closed' } as const;
export type FeedbackStatus = (typeof FeedbackStatus)[keyof typeof FeedbackStatus];
export const FEEDBACK_STATUSES: readonly FeedbackStatus[] = Object.values(FeedbackStatus);

/** The transitions a case may take (a resolution may skip the reply: resolving is a response too). */
export const FEEDBACK_TRANSITIONS: Readonly<Record<FeedbackStatus, readonly FeedbackStatus[]>> = {
  open: ['responded', 'resolved'],
  responded: ['resolved'],
  resolved: ['closed'],
  closed: [],
};

/** The member's words for a status: 待回复 / 已回复 / 已解决 / 已评价. */
export const FEEDBACK_STATUS_LABELS: Readonly<Record<FeedbackStatus, string>> = {
  open: '待回复',
  responded: '已回复',
  resolved: '已解决',
  closed: '已评价',
};

export const FEEDBACK_KIND_LABELS: Readonly<Record<FeedbackKind, string>> = { feedback: '意见反馈', complaint: '投诉' };

/** What a goodwill grant gave: points, a coupon, or an admin's manual points adjustment (no case). */
export const GoodwillKind = { Points: 'points', Coupon: 'coupon', Adjustment: 'adjustment' } as const;
export type GoodwillKind = (typeof GoodwillKind)[keyof typeof GoodwillKind];
export const GOODWILL_KINDS: readonly GoodwillKind[] = Object.values(GoodwillKind);

export interface FeedbackMessageView {
  id: number;
  author: 'member' | 'staff';
  body: string;
  at: string;
}

export interface GoodwillView {
  kind: GoodwillKind;
  points: number;
  couponId: number | null;
  couponName: string | null;
  /** The coupon's face value (or cap), 0 for points. */
  faceFen: Fen;
  reason: string;
  at: string;
}

export interface FeedbackCaseView {
  id: number;
  memberId: number;
  kind: FeedbackKind;
  category: FeedbackCategory;
  categoryLabel: string;
  channel: FeedbackChannel;
  storeCode: string | null;
  /** "A<out_trade_no>" or "S<purchase id>" (see 我的订单), null when none was named. */
  orderRef: string | null;
  text: string;
  photoUrls: string[];
  status: FeedbackStatus;
  createdAt: string;
  dueAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  /** Not yet answered and past its due time. */
  overdue: boolean;
  resolution: string | null;
  goodwill: GoodwillView | null;
  rating: number | null;
  ratingComment: string | null;
  messages: FeedbackMessageView[];
}

export type FeedbackCaseSummary = Omit<FeedbackCaseView, 'messages' | 'photoUrls'>;

export interface FeedbackCategoryOption {
  code: FeedbackCategory;
  label: string;
}

/** GET /api/feedback/options */
export interface FeedbackOptions {
  categories: FeedbackCategoryOption[];
  maxPhotos: number;
  maxTextChars: number;
  photoMaxBytes: number;
}

/** POST /api/feedback (member, online) */
export interface CreateFeedbackRequest {
  kind: FeedbackKind;
  category: FeedbackCategory;
  orderRef?: string;
  text: string;
  /** Ids from POST /api/feedback/photos. */
  photoIds?: number[];
  idempotencyKey: string;
}

/** POST /api/staff/feedback (the clerk, for the member the till ticket identifies) */
export interface StaffCreateFeedbackRequest extends Omit<CreateFeedbackRequest, 'photoIds'> {
  tillTicket: string;
  storeCode?: string;
}

/** POST /api/feedback/photos answers */
export interface FeedbackPhotoUploaded {
  id: number;
  url: string;
}

export interface FeedbackMessageRequest {
  body: string;
  idempotencyKey: string;
}

export interface RateFeedbackRequest {
  rating: number;
  comment?: string;
}

export interface FeedbackListResponse {
  cases: FeedbackCaseSummary[];
}

/** POST /api/staff/feedback/:id/resolve */
export interface ResolveFeedbackRequest {
  resolution: string;
  goodwill?: { kind: 'points'; points: number; reason: string } | { kind: 'coupon'; templateId: number; reason: string };
  idempotencyKey: string;
}

/** POST /api/admin/points-adjustments */
export interface PointsAdjustmentRequest {
  memberId: number;
  /** Positive adds, negative takes away (never below a zero balance). */
  points: number;
  reason: string;
  idempotencyKey: string;
}

export interface PointsAdjustmentView {
  id: number;
  memberId: number;
  points: number;
  balanceAfter: number;
  reason: string;
  at: string;
}

/** GET /api/admin/members/lookup?phone= | ?id= */
export interface AdminMemberLookup {
  id: number;
  nickname: string | null;
  phoneMasked: string | null;
  pointsBalance: number;
  tier: string;
}

/** GET /api/staff/feedback/goodwill-options: what this staff account may give on one case. */
export interface GoodwillOptions {
  maxPoints: number;
  maxCouponFaceFen: Fen;
  /** Active templates with stock left whose face value is within this role's limit. */
  coupons: Array<{ templateId: number; name: string; faceFen: Fen; remaining: number }>;
}

export interface FeedbackReportRow {
  key: string;
  label: string;
  cases: number;
}

/** GET /api/staff/feedback-report?from=YYYY-MM-DD&to=YYYY-MM-DD (business calendar, both days included) */
export interface FeedbackReport {
  from: string;
  to: string;
  cases: number;
  byCategory: FeedbackReportRow[];
  byStore: FeedbackReportRow[];
  responded: number;
  medianFirstResponseMinutes: number | null;
  averageFirstResponseMinutes: number | null;
  /** Share (0–1) of the cases answered by their due time; null with no cases. */
  withinDeadlineShare: number | null;
  resolved: number;
  medianResolutionMinutes: number | null;
  averageResolutionMinutes: number | null;
  goodwillPoints: number;
  goodwillCoupons: number;
  /** Points at ¥0.01 each plus coupons at their discount when used, else face value. */
  goodwillCostFen: Fen;
  averageRating: number | null;
}
