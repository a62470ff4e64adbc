import type { RecordPurchaseRequest, RefundPurchaseRequest } from '@member/shared';
import { z } from 'zod';

const fen = z.int().min(1).max(100_000_000);
const key = z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');

export const recordPurchaseBody = z.strictObject({
  memberCode: z.string().trim().transform((code) => code.replace(/[\s-]/g, '')).pipe(z.string().regex(/^\d{10,40}$/, 'must be the digits of a member code')),
  amountFen: fen,
  storeCode: z.string().trim().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, _ or -'),
  couponCode: z.string().trim().transform((code) => code.replace(/[\s-]/g, '')).pipe(z.string().regex(/^\d{6,20}$/, 'must be the digits of a coupon code')).optional(),
  pointsToBurn: z.int().min(0).max(100_000_000).optional(),
  idempotencyKey: key,
}) satisfies z.ZodType<RecordPurchaseRequest, unknown>;

export const refundBody = z.strictObject({ amountFen: fen, refundNo: key }) satisfies z.ZodType<RefundPurchaseRequest>;

export const historyQuery = z.strictObject({ before: z.coerce.number().int().positive().max(2 ** 31 - 1).optional() });

export const purchaseIdParam = z.coerce.number().int().positive().max(2 ** 31 - 1);
