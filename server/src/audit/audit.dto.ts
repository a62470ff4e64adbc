import { z } from 'zod';
import { decimalInt, idParam } from '../common/validation';

export const auditQuery = z
  .strictObject({
    before: idParam.optional(),
    limit: decimalInt(1, 200).default(50),
    staffOpenid: z
      .string()
      .regex(/^[\w-]{1,64}$/)
      .optional(),
    storeCode: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/)
      .optional(),
    action: z
      .string()
      .regex(/^[\w. /:-]{1,48}$/)
      .optional(),
    /** Business days (Asia/Shanghai), both included. */
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    memberId: idParam.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['to'] });
