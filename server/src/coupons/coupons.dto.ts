import {
  COUPON_KINDS,
  TIER_CODES,
  type ClaimCouponRequest,
  type CreateCouponTemplateRequest,
  type RedeemCouponRequest,
  type SetCouponTemplateStatusRequest,
} from '@member/shared';
import { z } from 'zod';
import { idField, idParam, plainText, storeCode } from '../common/validation';

const fen = z.int().min(0).max(100_000_000);
const instant = z.iso.datetime({ offset: true });
const idempotencyKey = z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');

const terms = z
  .strictObject({
    kind: z.enum(COUPON_KINDS as ['cash_off', 'no_threshold', 'percent_off', 'gift']),
    valueFen: fen.min(1).nullable(),
    thresholdFen: fen,
    percentPermille: z.int().min(1).max(999).nullable(),
    capFen: fen.min(1).nullable(),
    giftName: plainText(1, 40).nullable(),
    stacksWithMemberDiscount: z.boolean(),
  })
  .superRefine((t, ctx) => {
    const need = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: 'custom', path: [path], message });
    if (t.kind === 'cash_off' || t.kind === 'no_threshold') need(t.valueFen !== null, 'valueFen', 'cash coupons need valueFen');
    if (t.kind === 'cash_off') need(t.thresholdFen > 0, 'thresholdFen', '满减 needs a threshold; use no_threshold for 无门槛');
    if (t.kind === 'no_threshold') need(t.thresholdFen === 0, 'thresholdFen', '无门槛 coupons have no threshold');
    if (t.kind === 'percent_off') need(t.percentPermille !== null, 'percentPermille', 'percentage coupons need percentPermille');
    if (t.kind === 'gift') need(t.giftName !== null, 'giftName', 'gift coupons need giftName');
  });

const validity = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('fixed'), validFrom: instant, validUntil: instant })
    // As instants: the two strings may carry different offsets (…Z and …+08:00), which text order misjudges.
    .refine((v) => Date.parse(v.validUntil) > Date.parse(v.validFrom), {
      message: 'validUntil must be after validFrom',
      path: ['validUntil'],
    }),
  z.strictObject({ type: z.literal('relative'), validDays: z.int().min(1).max(3650) }),
]);

export const createTemplateBody = z
  .strictObject({
    name: plainText(1, 40),
    description: plainText(0, 200, { multiline: true }).optional(),
    terms,
    totalStock: z.int().min(1).max(10_000_000),
    perMemberLimit: z.int().min(1).max(100),
    validity,
    claimStartsAt: instant,
    claimEndsAt: instant,
    audience: z.enum(['all', 'tiers', 'new_members']),
    audienceTiers: z
      .array(z.enum(TIER_CODES as ['normal', 'silver', 'gold', 'diamond']))
      .max(10)
      .optional(),
    pointsPrice: z.int().min(1).max(10_000_000).nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (new Date(body.claimEndsAt) <= new Date(body.claimStartsAt))
      ctx.addIssue({ code: 'custom', path: ['claimEndsAt'], message: 'claimEndsAt must be after claimStartsAt' });
    // A coupon claimed after its fixed validity ended would arrive expired (and a points-shop one paid for).
    if (body.validity.type === 'fixed' && Date.parse(body.claimEndsAt) > Date.parse(body.validity.validUntil))
      ctx.addIssue({ code: 'custom', path: ['claimEndsAt'], message: 'claimEndsAt must not be after validity.validUntil' });
    if (body.audience === 'tiers' && !body.audienceTiers?.length)
      ctx.addIssue({ code: 'custom', path: ['audienceTiers'], message: 'name at least one tier' });
    if (body.perMemberLimit > body.totalStock)
      ctx.addIssue({ code: 'custom', path: ['perMemberLimit'], message: 'cannot exceed totalStock' });
  }) satisfies z.ZodType<CreateCouponTemplateRequest>;

export const setTemplateStatusBody = z.strictObject({
  status: z.enum(['active', 'paused']),
}) satisfies z.ZodType<SetCouponTemplateStatusRequest>;

export const claimBody = z.strictObject({ idempotencyKey }) satisfies z.ZodType<ClaimCouponRequest>;

export const redeemBody = z.strictObject({
  code: z
    .string()
    .trim()
    .transform((code) => code.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{6,20}$/, 'must be the digits of a coupon code')),
  orderAmountFen: fen,
  memberId: idField.optional(),
  tillTicket: z
    .string()
    .regex(/^[\w-]{8,200}\.[\w-]{16,64}$/, 'must be the ticket identifying the member')
    .optional(),
  /** Where it is redeemed: from the clerk's account; a named store must be one of the account's. */
  storeCode: storeCode.optional(),
  idempotencyKey: idempotencyKey.optional(),
}) satisfies z.ZodType<RedeemCouponRequest, unknown>;

export const walletQuery = z.strictObject({ tab: z.enum(['usable', 'held', 'used', 'expired']).default('usable') });

export { idParam };
