import {
  MEMBER_SEARCH_MAX_TERM,
  MEMBER_SEARCH_MODES,
  MESSAGE_KINDS,
  type MemberSearchMode,
  type MessageKind,
  type WalletTab,
} from '@member/shared';
import { z } from 'zod';
import { idField, idParam, plainText } from '../common/validation';

/** Request schemas of the console's member pages (member-console.controller.ts). */
const idempotencyKey = z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');
const reason = plainText(2, 200);

export const memberSearchQuery = z.strictObject({
  // The service checks the term against the mode (planSearch); here only its size and characters.
  q: plainText(1, MEMBER_SEARCH_MAX_TERM),
  mode: z.enum(MEMBER_SEARCH_MODES as [MemberSearchMode, ...MemberSearchMode[]]).optional(),
  match: z.enum(['prefix', 'contains']).optional(),
  cursor: z
    .string()
    .max(400)
    .regex(/^[\w-]+$/)
    .optional(),
});

export const consoleMemberId = idParam;

export const purchasesQuery = z.strictObject({ cursor: z.string().max(64).optional() });
export const beforeQuery = z.strictObject({ before: idParam.optional() });
export const couponsQuery = z.strictObject({
  tab: z.enum(['usable', 'held', 'used', 'expired'] satisfies WalletTab[]).default('usable'),
});
export const messagesQuery = z.strictObject({
  kind: z.enum(MESSAGE_KINDS as [MessageKind, ...MessageKind[]]).optional(),
  before: idParam.optional(),
});

export const consoleAdjustmentBody = z.strictObject({
  points: z.int().min(-10_000_000).max(10_000_000),
  reason,
  idempotencyKey,
});

export const giveCouponBody = z.strictObject({ templateId: idField, reason, idempotencyKey });
