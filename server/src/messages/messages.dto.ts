import {
  MESSAGE_KINDS,
  SUBSCRIBE_DECISIONS,
  SUBSCRIBE_MOMENTS,
  MAX_TEMPLATES_PER_SUBSCRIBE_CALL,
  type MessageKind,
  type ReportSubscriptionsRequest,
  type SubscribeDecision,
  type SubscribeMoment,
  type UpdateMessagePreferenceRequest,
} from '@member/shared';
import { z } from 'zod';

export const reportBody = z.strictObject({
  results: z
    .record(
      z.string().regex(/^[\w-]{8,64}$/, 'must be a template id'),
      z.enum(SUBSCRIBE_DECISIONS as [SubscribeDecision, ...SubscribeDecision[]]),
    )
    .refine(
      (results) => Object.keys(results).length >= 1 && Object.keys(results).length <= MAX_TEMPLATES_PER_SUBSCRIBE_CALL,
      `must hold 1-${MAX_TEMPLATES_PER_SUBSCRIBE_CALL} templates`,
    ),
  moment: z.enum(SUBSCRIBE_MOMENTS as [SubscribeMoment, ...SubscribeMoment[]]),
  idempotencyKey: z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -'),
}) satisfies z.ZodType<ReportSubscriptionsRequest, unknown>;

export const kindParam = z.enum(MESSAGE_KINDS as [MessageKind, ...MessageKind[]]);

export const preferenceBody = z.strictObject({ enabled: z.boolean() }) satisfies z.ZodType<UpdateMessagePreferenceRequest, unknown>;
