import {
  LifecycleStatus,
  MESSAGE_KINDS,
  RFM_SEGMENTS,
  TIER_CODES,
  type AudienceFilter,
  type AudiencePreviewRequest,
  type MessageKind,
  type RfmSegment,
  type TierCode,
} from '@member/shared';
import { z } from 'zod';

const LIFECYCLE_STATUSES = Object.values(LifecycleStatus);

/** A criterion's list: omitted means "any"; an empty or repeating list is a mistake in the builder, not a filter. */
const choice = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .min(1, 'leave the criterion out to match everyone')
    .max(max)
    .refine((values) => new Set(values).size === values.length, 'must not repeat a value')
    .optional();

const days = z.int().min(0).max(36_500);
// Well above any member's 12-month spend; keeps the value an exact integer on every driver.
const spendFen = z.int().min(0).max(1_000_000_000_000);

export const audienceFilterBody = z
  .strictObject({
    tiers: choice(z.enum(TIER_CODES as [TierCode, ...TierCode[]]), TIER_CODES.length),
    lifecycleStatuses: choice(z.enum(LIFECYCLE_STATUSES as [LifecycleStatus, ...LifecycleStatus[]]), LIFECYCLE_STATUSES.length),
    birthdayMonths: choice(z.int().min(1).max(12), 12),
    lastPurchaseDaysMin: days.optional(),
    lastPurchaseDaysMax: days.optional(),
    spendFenMin: spendFen.optional(),
    spendFenMax: spendFen.optional(),
    rfmSegments: choice(z.enum(RFM_SEGMENTS as [RfmSegment, ...RfmSegment[]]), RFM_SEGMENTS.length),
  })
  .superRefine((filter, ctx) => {
    if (
      filter.lastPurchaseDaysMin !== undefined &&
      filter.lastPurchaseDaysMax !== undefined &&
      filter.lastPurchaseDaysMin > filter.lastPurchaseDaysMax
    ) {
      ctx.addIssue({ code: 'custom', path: ['lastPurchaseDaysMax'], message: 'must not be below lastPurchaseDaysMin' });
    }
    if (filter.spendFenMin !== undefined && filter.spendFenMax !== undefined && filter.spendFenMin > filter.spendFenMax) {
      ctx.addIssue({ code: 'custom', path: ['spendFenMax'], message: 'must not be below spendFenMin' });
    }
  }) satisfies z.ZodType<AudienceFilter>;

export const audiencePreviewBody = z.strictObject({
  filter: audienceFilterBody,
  messageKind: z.enum(MESSAGE_KINDS as [MessageKind, ...MessageKind[]]).optional(),
}) satisfies z.ZodType<AudiencePreviewRequest>;
