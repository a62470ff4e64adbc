import type { AccountStatus, LifecycleStatus, StaffRole, TierCode } from './enums';
import type { CouponView, WalletResponse } from './coupons';
import type { MessageKind, OutboxSkipReason, OutboxStatus } from './messages';
import type { Fen } from './money';

/**
 * The console's member search (会员查询). One box; what was typed decides how it is looked up:
 * 11 digits → the full mainland phone (by its keyed hash, never in clear), 4 digits → the phone's last four,
 * other digits (1–10) → the member number (会员号, the member id), anything else → the nickname.
 */
export type MemberSearchMode = 'phone' | 'last4' | 'memberNo' | 'nickname';
export const MEMBER_SEARCH_MODES: readonly MemberSearchMode[] = ['phone', 'last4', 'memberNo', 'nickname'];

/** Nicknames are at most 64 characters; a search term longer than that cannot match one. */
export const MEMBER_SEARCH_MAX_TERM = 32;

export function detectMemberSearchMode(term: string): MemberSearchMode | null {
  const q = term.trim();
  if (!q) return null;
  if (/^\d{11}$/.test(q)) return 'phone';
  if (/^\d{4}$/.test(q)) return 'last4';
  if (/^\d{1,10}$/.test(q)) return 'memberNo';
  if (/^\d+$/.test(q)) return null;
  return 'nickname';
}

/** GET /api/staff/console/members?q=&mode=&match=&cursor= */
export interface MemberSearchQuery {
  q: string;
  /** Omitted: detected from q (detectMemberSearchMode). */
  mode?: MemberSearchMode;
  /** Nickname only: 'prefix' (default, walks an index) or 'contains' (reads the table; slower on a big one). */
  match?: 'prefix' | 'contains';
  cursor?: string;
}

export interface MemberSearchRow {
  id: number;
  nickname: string | null;
  phoneMasked: string | null;
  tier: TierCode;
  lifecycleStatus: LifecycleStatus;
  accountStatus: AccountStatus;
  pointsBalance: number;
  joinedAt: string | null;
  lastPurchaseAt: string | null;
}

export interface MemberSearchResponse {
  mode: MemberSearchMode;
  rows: MemberSearchRow[];
  /** Where the next page starts; null: no more. */
  nextCursor: string | null;
}

/**
 * What each role may do on a member's page in the console. Enforced by the server (403 FORBIDDEN for a role
 * without it), shown by the page. Clerks have no console member pages at all: they read a member only by the
 * member code shown at the till.
 * - reveal_phone: the full phone number, decrypted; audited (member.phone_reveal). HQ only.
 * - adjust_points: add or take points with a reason (the existing admin adjustment, its limit and key). HQ only.
 * - give_coupon: give one coupon with a reason, within the role's goodwill face-value limit
 *   (feedback.goodwillLimits): HQ and store managers (their own members).
 */
export type MemberConsoleAction = 'reveal_phone' | 'adjust_points' | 'give_coupon';
export const MEMBER_CONSOLE_ACTIONS: Readonly<Record<StaffRole, readonly MemberConsoleAction[]>> = {
  admin: ['reveal_phone', 'adjust_points', 'give_coupon'],
  store_manager: ['give_coupon'],
  clerk: [],
};

export function mayDoMemberAction(role: StaffRole, action: MemberConsoleAction): boolean {
  return MEMBER_CONSOLE_ACTIONS[role].includes(action);
}

/** GET /api/staff/console/members/:id */
export interface MemberConsoleProfile extends MemberSearchRow {
  birthday: string | null;
  /** Stores where the member bought (settled sales), most recent first. */
  stores: string[];
  /** What this staff account may do here (MEMBER_CONSOLE_ACTIONS of its role). */
  actions: MemberConsoleAction[];
}

/** One message the outbox holds for the member (消息). */
export interface MemberMessageRow {
  id: number;
  kind: MessageKind;
  status: OutboxStatus;
  skipReason: OutboxSkipReason | null;
  errcode: number | null;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface MemberMessagesResponse {
  messages: MemberMessageRow[];
  nextBefore: number | null;
}

/** POST /api/staff/console/members/:id/phone-reveal */
export interface MemberPhoneReveal {
  memberId: number;
  /** National number, e.g. 13800138000; null when the member has none (not joined, or deleted). */
  phone: string | null;
}

/** POST /api/staff/console/members/:id/coupons */
export interface GiveCouponRequest {
  templateId: number;
  reason: string;
  idempotencyKey: string;
}

export interface GiveCouponView {
  grantId: number;
  memberId: number;
  couponId: number;
  templateId: number;
  couponName: string;
  faceFen: Fen;
  at: string;
}

/** POST /api/staff/console/members/:id/points-adjustments (the admin adjustment, for this member). */
export interface ConsolePointsAdjustmentRequest {
  points: number;
  reason: string;
  idempotencyKey: string;
}

/**
 * GET /api/staff/console/members/:id/coupons?tab= — the member's wallet without the coupons' codes: a code is a
 * bearer secret the member shows at the till, and staff who could read it could redeem it.
 */
export interface ConsoleWalletResponse extends Omit<WalletResponse, 'coupons'> {
  coupons: Array<Omit<CouponView, 'code'>>;
}
