import type { SalesQuery } from '@member/shared';
import { z } from 'zod';
import { decimalInt, idParam, storeCode } from '../common/validation';
import { tillTicket } from './purchases.dto';

const businessDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD');

export const salesQuery = z.strictObject({
  date: businessDay.optional(),
  storeCode: storeCode.optional(),
  /** The receipt number as printed (leading zeros allowed) or typed; spaces ignored. */
  receipt: z
    .string()
    .transform((value) => value.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{1,12}$/, 'must be the digits of a receipt number'))
    .optional(),
  tillTicket: tillTicket.optional(),
  before: idParam.optional(),
  limit: decimalInt(1, 50).default(20),
}) satisfies z.ZodType<SalesQuery & { limit: number }, unknown>;

export const salesSummaryQuery = z.strictObject({
  date: businessDay.optional(),
  storeCode: storeCode.optional(),
});
