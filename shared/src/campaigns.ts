/**
 * Campaigns (活动): an audience, an offer (a coupon and/or points), a message, a schedule and an optional
 * holdout. Launching creates runs; a run issues to its audience set-based and resumably, each member at most
 * once per run, and queues the message for those who can receive it.
 */
import type { MessageKind } from './messages';
import type { Fen } from './money';
import type { AudienceFilter } from './segments';

export const CampaignStatus = {
  Draft: 'draft',
  /** Launched: one-off runs happen at their time, recurring ones every day. */
  Active: 'active',
  /** Stopped by staff: no new runs (a run in progress finishes its chunk and stops). */
  Paused: 'paused',
  /** A one-off campaign whose run finished. */
  Ended: 'ended',
} as const;
export type CampaignStatus = (typeof CampaignStatus)[keyof typeof CampaignStatus];
export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = Object.values(CampaignStatus);

export const CampaignSchedule = {
  /** One run, at launch. */
  Now: 'now',
  /** One run at `startsAt`. */
  At: 'at',
  /** Every day: the members whose birthday window opens that day (the month's 1st for a month window). */
  Birthday: 'birthday',
  /** Every day: the members whose last purchase was exactly `dormantDays` business days ago. */
  Reactivation: 'reactivation',
  /** Every day: the members holding an unused coupon whose last day is `daysBefore` days away. */
  CouponExpiry: 'coupon_expiry',
} as const;
export type CampaignSchedule = (typeof CampaignSchedule)[keyof typeof CampaignSchedule];
export const CAMPAIGN_SCHEDULES: readonly CampaignSchedule[] = Object.values(CampaignSchedule);

export const CampaignRunStatus = {
  Issuing: 'issuing',
  Done: 'done',
} as const;
export type CampaignRunStatus = (typeof CampaignRunStatus)[keyof typeof CampaignRunStatus];

/** POST /api/admin/campaigns (admin) */
export interface CreateCampaignRequest {
  name: string;
  filter: AudienceFilter;
  /** The coupon each treated member gets (a template of ours), or null. */
  couponTemplateId: number | null;
  /** Points each treated member gets, 0 for none. */
  points: number;
  /** The message, or null for none. Its fields come from the template's config, filled per member. */
  messageKind: MessageKind | null;
  /** The {offer} text of messages that have one (e.g. 回归礼: "满100减30券已到账"), ≤ 20 characters. */
  offerText: string | null;
  schedule: CampaignSchedule;
  /** For 'at': when (ISO). */
  startsAt: string | null;
  /** For 'reactivation': days since the last purchase. */
  dormantDays: number | null;
  /** For 'coupon_expiry': days before the coupon's last day. */
  daysBefore: number | null;
  /** Share of the audience that gets nothing, per mille (0-500), to measure the campaign's lift. */
  holdoutPermille: number;
  /** One per creation: a resent request answers the same campaign. */
  idempotencyKey: string;
}

/** PUT /api/admin/campaigns/:id: a draft's set-up again (the idempotency key is the create's and is ignored). */
export type UpdateCampaignRequest = Omit<CreateCampaignRequest, 'idempotencyKey'>;

export interface CampaignMessageOutcomes {
  queued: number;
  sent: number;
  /** Not sent on purpose, by reason (no_grant, opted_out, frequency_cap, no_member; quiet hours delay, they never skip). */
  skipped: Record<string, number>;
  /** Refused by WeChat, by errcode ('timeout' / 'invalid' when there is none). */
  failed: Record<string, number>;
}

export interface CampaignRunView {
  id: number;
  /** 'once', or the business date of a recurring run. */
  period: string;
  status: CampaignRunStatus;
  targeted: number;
  heldOut: number;
  couponsIssued: number;
  /** Treated members who got no coupon because the template ran out of stock or is paused. */
  couponsShort: number;
  pointsGranted: number;
  messages: CampaignMessageOutcomes;
  /** Coupons of this run redeemed since. */
  couponsRedeemed: number;
  /** Paid (minus refunds) by the run's members since it started, and per member: treatment against holdout. */
  treatment: { members: number; revenueFen: Fen; revenuePerMemberFen: Fen; purchasers: number };
  holdout: { members: number; revenueFen: Fen; revenuePerMemberFen: Fen; purchasers: number };
  startedAt: string;
  finishedAt: string | null;
}

export interface CampaignView {
  id: number;
  name: string;
  status: CampaignStatus;
  filter: AudienceFilter;
  couponTemplateId: number | null;
  couponTemplateName: string | null;
  points: number;
  messageKind: MessageKind | null;
  offerText: string | null;
  schedule: CampaignSchedule;
  startsAt: string | null;
  dormantDays: number | null;
  daysBefore: number | null;
  holdoutPermille: number;
  createdAt: string;
  launchedAt: string | null;
  /** Set for the campaigns the system runs itself ('birthday-perk', 'coupon-reminder'): shown, not edited or paused. */
  system: string | null;
  runs: CampaignRunView[];
}

/** GET /api/admin/campaigns */
export interface CampaignListResponse {
  campaigns: CampaignView[];
}

/** One business day of a run's report: what its treated and held-out members paid (net of refunds) that day. */
export interface CampaignRunDay {
  /** YYYY-MM-DD, business calendar. */
  date: string;
  treatedRevenueFen: Fen;
  holdoutRevenueFen: Fen;
  treatedPurchasers: number;
  holdoutPurchasers: number;
}

/** GET /api/admin/campaigns/:id/runs/:runId/daily?days=N: the run's revenue day by day from its start (today last). */
export interface CampaignRunDaily {
  runId: number;
  treatedMembers: number;
  holdoutMembers: number;
  days: CampaignRunDay[];
}
