import {
  CAMPAIGN_SCHEDULES,
  CAMPAIGN_MESSAGE_KINDS,
  type CampaignSchedule,
  type CreateCampaignRequest,
  type MessageKind,
  type UpdateCampaignRequest,
} from '@member/shared';
import { z } from 'zod';
import { decimalInt, idField, idParam, plainText } from '../common/validation';
import { audienceFilterBody } from '../segments/segments.dto';

const setUp = {
  name: plainText(1, 40),
  filter: audienceFilterBody,
  couponTemplateId: idField.nullable(),
  points: z.int().min(0).max(100_000),
  messageKind: z.enum(CAMPAIGN_MESSAGE_KINDS as [MessageKind, ...MessageKind[]]).nullable(),
  offerText: plainText(1, 20).nullable(),
  schedule: z.enum(CAMPAIGN_SCHEDULES as [CampaignSchedule, ...CampaignSchedule[]]),
  startsAt: z.iso.datetime({ offset: true }).nullable(),
  dormantDays: z.int().min(1).max(3650).nullable(),
  daysBefore: z.int().min(1).max(60).nullable(),
  holdoutPermille: z.int().min(0).max(500),
};

/** Each schedule's own field is required with it and refused without it. */
function scheduleFields(c: UpdateCampaignRequest, ctx: z.RefinementCtx): void {
  const need = (field: 'startsAt' | 'dormantDays' | 'daysBefore', when: CampaignSchedule) => {
    if (c.schedule === when && c[field] === null)
      ctx.addIssue({ code: 'custom', path: [field], message: `is required for schedule ${when}` });
    if (c.schedule !== when && c[field] !== null) ctx.addIssue({ code: 'custom', path: [field], message: `is only for schedule ${when}` });
  };
  need('startsAt', 'at');
  need('dormantDays', 'reactivation');
  need('daysBefore', 'coupon_expiry');
}

export const createCampaignBody = z
  .strictObject({ ...setUp, idempotencyKey: z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -') })
  .superRefine(scheduleFields) satisfies z.ZodType<CreateCampaignRequest, unknown>;

/** A draft's edit: the same set-up, no idempotency key (the PUT is idempotent by itself). */
export const updateCampaignBody = z.strictObject(setUp).superRefine(scheduleFields) satisfies z.ZodType<UpdateCampaignRequest, unknown>;

export const campaignIdParam = idParam;

/** How many business days of a run's daily report (from its first day): a chart's width, at most a quarter. */
export const dailyQuery = z.strictObject({ days: decimalInt(1, 92).default(31) });
