/**
 * The HTTP contract between the mini-program and the server. All paths are under `/api`. Times are ISO-8601
 * strings in UTC; calendar dates are "YYYY-MM-DD" in the business calendar; money is integer fen.
 * Every non-2xx answer carries an `ApiErrorBody` (see errors.ts).
 */
import type { Brand } from './brand';
import type { CalendarDate } from './calendar';
import type { LifecycleStatus, StaffRole, TierCode } from './enums';
import type { Fen } from './money';

export const API_PREFIX = '/api';

/** GET /api/public-config: what the app needs before login. `emulatorBaseUrl` is set only in demo/test mode. */
export interface PublicConfig {
  appName: string;
  privacyPolicyVersion: string;
  memberCodePeriodSeconds: number;
  emulatorBaseUrl: string | null;
  /** Whether members can pay in the app (WeChat Pay is set up), and at which stores. */
  payEnabled: boolean;
  /** The largest amount one app order may charge (fen): the pay page names it when an amount is over. */
  payMaxOrderFen: number;
  /** The wallet badges a usable coupon in its last this many days (今天过期 / 明天过期 / n天后过期; config coupons.expiringSoonDays). */
  couponExpiringSoonDays: number;
  stores: Array<{ code: string; name: string }>;
  /** Name, slogan, logo, colours, customer service and tier card art (config `brand`). */
  brand: Brand;
}

/** POST /api/auth/login — the `wx.login()` code. */
export interface LoginRequest {
  code: string;
}
export interface LoginResponse {
  /** Bearer token for `Authorization: Bearer …`; short-lived: log in again silently when it expires. */
  token: string;
  expiresAt: string;
  member: MemberProfile;
  staffRole: StaffRole | null;
}

export interface MemberProfile {
  id: number;
  nickname: string | null;
  avatarUrl: string | null;
  /** Masked, e.g. "138****8000"; null until the member joined. */
  phoneMasked: string | null;
  joined: boolean;
  joinedAt: string | null;
  birthday: CalendarDate | null;
  /** First day the birthday may be changed again; null when it can be changed now. */
  birthdayLockedUntil: CalendarDate | null;
}

/** POST /api/members/me/join — privacy consent plus the getPhoneNumber code. */
export interface JoinRequest {
  privacyAccepted: true;
  privacyPolicyVersion: string;
  phoneCode: string;
}

/** PATCH /api/members/me */
export interface UpdateProfileRequest {
  nickname?: string;
  avatarUrl?: string | null;
}

/**
 * POST /api/members/me/avatar — multipart/form-data, field `file` (what wx.uploadFile sends after
 * chooseAvatar): a JPG, PNG or WebP image; answers the MemberProfile whose `avatarUrl` is then a
 * server-relative path (`/api/media/avatars/<sha256>`), served publicly and cacheable forever.
 */

/** PUT /api/members/me/birthday */
/**
 * POST /api/members/me/deletion — 注销: anonymises the member's personal data and ends every session. `confirm`
 * must be exactly true (the page asks first); anything else answers ACCOUNT_DELETE_NOT_CONFIRMED.
 */
export interface DeleteAccountRequest {
  confirm: true;
}

export interface DeleteAccountResponse {
  deleted: true;
  deletedAt: string;
}

export interface SetBirthdayRequest {
  birthday: CalendarDate;
}

export interface TierSummary {
  code: TierCode;
  name: string;
  minSpendFen: Fen;
  /** Points per ¥1 in per-mille (1200 = ×1.2). */
  pointsMultiplierPermille: number;
  benefits: string[];
}

/** GET /api/members/me/card */
export interface MemberCard {
  member: MemberProfile;
  tier: TierSummary;
  nextTier: TierSummary | null;
  /** Spend over the rolling tier window. */
  spendFen: Fen;
  remainingToNextTierFen: Fen;
  progressPercent: number;
  pointsBalance: number;
  couponCount: number;
  lifecycleStatus: LifecycleStatus;
  /** While the birthday perk's double points last: until this instant (the window's last second); else null. */
  doublePointsUntil: string | null;
  /** Every tier, lowest first, for the tier page. */
  tiers: TierSummary[];
  /** The rolling window spend is counted over. */
  tierWindowMonths: number;
}

/** GET /api/members/me/code — the rotating member code shown at the till. */
export interface MemberCodeResponse {
  code: string;
  /** After this instant the server refuses the code. */
  expiresAt: string;
  /** Fetch a new code after this many seconds. */
  refreshInSeconds: number;
  serverTime: string;
}

/** POST /api/staff/member-code/verify (clerk or admin) */
export interface VerifyMemberCodeRequest {
  code: string;
  /** The store the clerk serves at; may be left out by an account with one store (its store is taken). */
  storeCode?: string;
}

/**
 * POST /api/staff/member-code/verify: the member, and a till ticket (signed; bound to this clerk, this member
 * and the store) that record purchase and redeem take instead of the member code, which rotates every minute.
 */
export interface IdentifiedMemberView extends StaffMemberView {
  tillTicket: string;
  tillTicketExpiresAt: string;
  /** The store the ticket is for; null when the account has several stores and named none. */
  tillStoreCode: string | null;
}

/** What a clerk sees about a member: enough to serve them, never the full phone number. */
export interface StaffMemberView {
  id: number;
  nickname: string | null;
  avatarUrl: string | null;
  phoneMasked: string | null;
  tier: TierSummary;
  pointsBalance: number;
  couponCount: number;
  birthday: CalendarDate | null;
  joinedAt: string | null;
  lifecycleStatus: LifecycleStatus;
}

/** GET /api/staff/me */
export interface StaffProfile {
  openid: string;
  role: StaffRole;
  name: string | null;
  /** The stores this account works at (an admin works at every store: all active ones are listed). */
  stores: Array<{ code: string; name: string }>;
}

/** One staff action, as the audit log keeps it. GET /api/admin/audit-log?before=&limit=&staffOpenid=&storeCode=&action= */
export interface AuditLogEntry {
  id: number;
  at: string;
  /** The staff account's openid; empty for a member's own action (role 'member', e.g. account.delete). */
  staffOpenid: string;
  role: StaffRole | 'member';
  storeCode: string | null;
  /** e.g. purchase.record, purchase.refund, coupon.redeem, member_code.verify, member.view */
  action: string;
  /** 'ok' or the error code the action ended with. */
  outcome: string;
  target: string | null;
  memberId: number | null;
  amountFen: number | null;
  points: number | null;
  /** The staff member's name as the staff list has it now (GET /api/staff/audit-log); null when unknown or removed. */
  staffName?: string | null;
}

export interface AuditLogPage {
  entries: AuditLogEntry[];
  nextBefore: number | null;
}

/** GET /api/staff/audit-log/filters: what the console's filters offer (the actions recorded, the staff who act). */
export interface AuditLogFilters {
  actions: string[];
  actors: Array<{ openid: string; name: string | null; role: StaffRole }>;
}

export interface HealthResponse {
  status: 'ok' | 'degraded';
  database: 'up' | 'down';
  driver: 'mysql' | 'sqljs';
  time: string;
}
