import type { RecordPurchaseRequest, RefundPurchaseRequest, TillQuoteRequest } from '@member/shared';
import { z } from 'zod';
import { idParam, storeCode } from '../common/validation';

const fen = z.int().min(1).max(100_000_000);
const key = z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');

/** A till ticket: base64url payload, a dot, base64url signature (checked by TillTicketsService). */
export const tillTicket = z.string().regex(/^[\w-]{8,200}\.[\w-]{16,64}$/, 'must be the ticket identifying the member');

const purchaseFields = {
  memberCode: z
    .string()
    .trim()
    .transform((code) => code.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{10,40}$/, 'must be the digits of a member code'))
    .optional(),
  tillTicket: tillTicket.optional(),
  amountFen: fen,
  // Optional: the store comes from the clerk's account; a named one must be among the account's stores.
  storeCode: storeCode.optional(),
  couponCode: z
    .string()
    .trim()
    .transform((code) => code.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{6,20}$/, 'must be the digits of a coupon code'))
    .optional(),
  pointsToBurn: z.int().min(0).max(100_000_000).optional(),
};

/** Exactly one proof that the member is at the till: the code they show, or the ticket from identifying them. */
const oneMemberProof = (body: { memberCode?: string; tillTicket?: string }) =>
  (body.memberCode === undefined) !== (body.tillTicket === undefined);
const oneMemberProofError = { message: 'give either the member code or the till ticket', path: ['tillTicket'] };

export const recordPurchaseBody = z
  .strictObject({ ...purchaseFields, idempotencyKey: key })
  .refine(oneMemberProof, oneMemberProofError) satisfies z.ZodType<RecordPurchaseRequest, unknown>;

export const quoteBody = z.strictObject(purchaseFields).refine(oneMemberProof, oneMemberProofError) satisfies z.ZodType<
  TillQuoteRequest,
  unknown
>;

export const refundBody = z.strictObject({ amountFen: fen, refundNo: key }) satisfies z.ZodType<RefundPurchaseRequest>;

export const purchaseIdParam = idParam;
