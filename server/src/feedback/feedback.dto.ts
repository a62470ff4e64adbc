import { FEEDBACK_CATEGORIES, FEEDBACK_KINDS, type FeedbackCategory, type FeedbackKind } from '@member/shared';
import { z } from 'zod';
import { idField, idParam, plainText, storeCode } from '../common/validation';

const idempotencyKey = z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');
const kind = z.enum(FEEDBACK_KINDS as [FeedbackKind, ...FeedbackKind[]]);
const category = z.enum(FEEDBACK_CATEGORIES as [FeedbackCategory, ...FeedbackCategory[]]);
/** "A<out_trade_no>" or "S<purchase id>", as 我的订单 names orders. */
const orderRef = z.string().regex(/^(A[0-9A-Za-z_\-|*]{6,32}|S\d{1,10})$/, 'must be an order ref from 我的订单');
/** Upper bound only: the configured feedback.maxTextChars is checked by the service. */
const text = plainText(1, 2000, { multiline: true });
const reason = plainText(2, 200);

export const caseIdParam = idParam;

export const createFeedbackBody = z.strictObject({
  kind,
  category,
  orderRef: orderRef.optional(),
  text,
  photoIds: z.array(idField).max(9).optional(),
  idempotencyKey,
});

export const staffCreateFeedbackBody = z.strictObject({
  kind,
  category,
  orderRef: orderRef.optional(),
  text,
  idempotencyKey,
  tillTicket: z.string().min(10).max(400),
  storeCode: storeCode.optional(),
});

export const messageBody = z.strictObject({ body: text, idempotencyKey });

export const rateBody = z.strictObject({ rating: z.int().min(1).max(5), comment: plainText(1, 200, { multiline: true }).optional() });

export const resolveBody = z.strictObject({
  resolution: plainText(2, 500, { multiline: true }),
  goodwill: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('points'), points: z.int().min(1).max(10_000_000), reason }),
      z.strictObject({ kind: z.literal('coupon'), templateId: idField, reason }),
    ])
    .optional(),
  idempotencyKey,
});

export const adjustmentBody = z.strictObject({
  memberId: idField,
  points: z.int().min(-10_000_000).max(10_000_000),
  reason,
  idempotencyKey,
});

export const queueQuery = z.strictObject({ storeCode: storeCode.optional(), include: z.enum(['open', 'all']).optional() });

export const lookupQuery = z
  .strictObject({
    id: idParam.optional(),
    phone: z
      .string()
      .regex(/^1\d{10}$/, 'must be an 11-digit mainland mobile number')
      .optional(),
  })
  .refine((q) => (q.id === undefined) !== (q.phone === undefined), { message: 'give either id or phone' });

const day = z.iso.date();
export const reportQuery = z.strictObject({ from: day, to: day }).refine((q) => q.from <= q.to, { message: 'from must not be after to' });
