/**
 * Subscription messages (订阅消息): the kinds the retailer sends, the grant ledger the app reports into, and
 * the member's switches. WeChat allows one message per template per "accept" the member gave in the app, and
 * offers no API to read what is left, so the server counts grants itself.
 */

export const MessageKind = {
  /** 生日祝福 + gift */
  Birthday: 'birthday',
  /** 优惠券到账 */
  CouponArrived: 'coupon_arrived',
  /** 优惠券即将过期 */
  CouponExpiring: 'coupon_expiring',
  /** 好久不见 + offer, for dormant members */
  Reactivation: 'reactivation',
  /** 积分变动 */
  PointsChange: 'points_change',
  /** 服务进度: staff answered or resolved the member's feedback (投诉与反馈). */
  ServiceReply: 'service_reply',
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];
export const MESSAGE_KINDS: readonly MessageKind[] = Object.values(MessageKind);
/** The kinds a marketing campaign may send: 服务进度 answers one member's feedback and is never a campaign's. */
export const CAMPAIGN_MESSAGE_KINDS: readonly MessageKind[] = MESSAGE_KINDS.filter((kind) => kind !== MessageKind.ServiceReply);

/** What the member chose for one template in `wx.requestSubscribeMessage` (cancelling the sheet gives 'reject'). */
export const SubscribeDecision = {
  Accept: 'accept',
  Reject: 'reject',
  /** The template was banned by WeChat. */
  Ban: 'ban',
  /** Filtered out: another template in the same call has the same title. */
  Filter: 'filter',
} as const;
export type SubscribeDecision = (typeof SubscribeDecision)[keyof typeof SubscribeDecision];
export const SUBSCRIBE_DECISIONS: readonly SubscribeDecision[] = Object.values(SubscribeDecision);

/** At most this many template ids per `requestSubscribeMessage` call (the current doc says 5; older clients 3). */
export const MAX_TEMPLATES_PER_SUBSCRIBE_CALL = 3;

/** Where in the app the member is asked; each moment asks for the kinds that fit it. */
export const SubscribeMoment = {
  /** Right after claiming a coupon. */
  CouponClaimed: 'coupon_claimed',
  /** Right after setting the birthday. */
  BirthdaySet: 'birthday_set',
  /** The "notify me" switch on the card / the messages page. */
  NotifyMe: 'notify_me',
  /** Right after raising feedback or a complaint (投诉与反馈). */
  FeedbackRaised: 'feedback_raised',
} as const;
export type SubscribeMoment = (typeof SubscribeMoment)[keyof typeof SubscribeMoment];
export const SUBSCRIBE_MOMENTS: readonly SubscribeMoment[] = Object.values(SubscribeMoment);

/** One kind of message as the member sees it. */
export interface MessageKindView {
  kind: MessageKind;
  /** zh-CN, e.g. "优惠券到账提醒". */
  title: string;
  description: string;
  /** The WeChat template id the app asks `requestSubscribeMessage` for. */
  templateId: string;
  /** How many messages of this kind the server may still send (accepts not yet used). */
  remaining: number;
  /** The member turned this kind off here; nothing of it is sent until they turn it on again. */
  enabled: boolean;
}

/** GET /api/messages/preferences */
export interface MessagePreferencesResponse {
  kinds: MessageKindView[];
  /** Kinds to ask for at each moment, at most MAX_TEMPLATES_PER_SUBSCRIBE_CALL each, enabled ones only. */
  moments: Record<SubscribeMoment, MessageKind[]>;
}

/**
 * POST /api/messages/subscriptions — what `requestSubscribeMessage` answered, as it answered it
 * (`{"<templateId>": "accept" | "reject" | "ban" | "filter"}`). One report per call: a resent report (same
 * idempotencyKey) adds nothing.
 */
export interface ReportSubscriptionsRequest {
  results: Record<string, SubscribeDecision>;
  moment: SubscribeMoment;
  idempotencyKey: string;
}

/** PUT /api/messages/preferences/:kind */
export interface UpdateMessagePreferenceRequest {
  enabled: boolean;
}

/** A queued message's life in the outbox. */
export const OutboxStatus = {
  Queued: 'queued',
  /** Taken by a sender and handed to WeChat (or about to be): never sent again, even after a crash. */
  Sending: 'sending',
  Sent: 'sent',
  /** Not sent on purpose: see OutboxSkipReason. */
  Skipped: 'skipped',
  /** WeChat refused it, or retries ran out: see errcode and reason. */
  Failed: 'failed',
} as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];

export const OutboxSkipReason = {
  /** No accept left for the template: WeChat would answer 43101. */
  NoGrant: 'no_grant',
  /** The member turned this kind off. */
  OptedOut: 'opted_out',
  /** The member already got the most messages allowed in the cap window. */
  FrequencyCap: 'frequency_cap',
  /** The member left or was removed. */
  NoMember: 'no_member',
} as const;
export type OutboxSkipReason = (typeof OutboxSkipReason)[keyof typeof OutboxSkipReason];
