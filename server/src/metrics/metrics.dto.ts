import { z } from 'zod';
import { storeCode } from '../common/validation';

const day = z.iso.date();
const range = { from: day, to: day };
const ordered = (q: { from: string; to: string }) => q.from <= q.to;
const orderMessage = { message: 'from must not be after to' };

export const dashboardQuery = z.strictObject({ ...range, store: storeCode.optional() }).refine(ordered, orderMessage);
export const rangeQuery = z.strictObject(range).refine(ordered, orderMessage);
export const monthQuery = z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM') });
export const backfillBody = z.strictObject(range).refine(ordered, orderMessage);
