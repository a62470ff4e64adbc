import { EXPORT_FORMATS } from '@member/shared';
import { z } from 'zod';
import { decimalInt, idParam, storeCode } from '../common/validation';

const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

export const exportSourceParam = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'must be an export name');
export const runKeyParam = z.uuid();

export const exportQuery = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  run: z.uuid().optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  storeCode: storeCode.optional(),
});

export const importIdParam = idParam;

export const importRowsQuery = z.strictObject({
  afterRow: decimalInt(0, 10_000_000).optional(),
  only: z.enum(['problems', 'all']).optional(),
  limit: decimalInt(1, 200).optional(),
});
