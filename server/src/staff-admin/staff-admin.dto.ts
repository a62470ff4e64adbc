import { STAFF_ROLES, StoreStatus, type StaffRole } from '@member/shared';
import { z } from 'zod';
import { idParam, plainText, storeCode } from '../common/validation';

const role = z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]]);
const stores = z.array(storeCode).max(100);

export const staffIdParam = z.object({ id: idParam });
export const storeCodeParam = z.object({ code: storeCode });

export const changeStaffBody = z.strictObject({ role, stores });
export const disableStaffBody = z.strictObject({ disabled: z.boolean() });
export const storeStatusBody = z.strictObject({ status: z.enum([StoreStatus.Active, StoreStatus.Closed]) });

export const createInviteBody = z.strictObject({
  role,
  stores,
  name: plainText(1, 32).nullable().optional(),
});

/** The token from the QR code (base64url, as StaffAdminService makes it). */
export const inviteTokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a staff invite code') });
