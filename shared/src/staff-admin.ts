import type { StaffInviteStatus, StaffRole, StoreStatus } from './enums';

/**
 * Stores and staff in the console (门店与员工), and inviting staff by QR code (邀请员工): an admin or a store
 * manager makes an invite, the console shows its one-time QR code, the invitee scans it with the mini-program, sees
 * the store and role, and accepts, becoming staff. The QR code holds the H5 address of the accepting page with the
 * invite's token, like the console's sign-in code (console-login.ts).
 */
export const STAFF_INVITE_PAGE = 'staff/staff-invite/index';

export function staffInviteQrContent(origin: string, token: string): string {
  return `${origin}/#/${STAFF_INVITE_PAGE}?invite=${token}`;
}

/** The invite token in a scanned text, or null when it is not one of our invite codes. */
export function staffInviteFromScan(scanned: string): string | null {
  const text = scanned.trim();
  if (!text.includes(STAFF_INVITE_PAGE)) return null;
  const match = /[?&]invite=([A-Za-z0-9_-]{16,64})(?:[&#]|$)/.exec(text);
  return match ? match[1] : null;
}

/** zh-CN names of the roles, as the console and the staff pages show them. */
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = { clerk: '店员', store_manager: '店长', admin: '总部' };

/** GET /api/staff/admin/stores: one row per store, with how many (enabled) staff work there. */
export interface StoreAdminView {
  code: string;
  name: string;
  status: StoreStatus;
  staffCount: number;
}

/** GET /api/staff/admin/staff: one staff account. `source` config: managed by config, read-only here. */
export interface StaffAdminView {
  id: number;
  openid: string;
  name: string | null;
  role: StaffRole;
  stores: string[];
  source: 'config' | 'cli' | 'invite';
  disabled: boolean;
  createdAt: string;
}

/** An invite as the console lists it (the token is never listed: it is shown once, as the QR code). */
export interface StaffInviteView {
  id: number;
  role: StaffRole;
  stores: string[];
  name: string | null;
  status: StaffInviteStatus;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedStaffId: number | null;
  acceptedAt: string | null;
}

/** POST /api/staff/admin/invites: the new invite, with its token (shown as the QR code, not kept by the server). */
export interface StaffInviteCreatedView extends StaffInviteView {
  token: string;
}

/** GET /api/staff-invites/:token: what the invitee sees before accepting. */
export interface StaffInvitePreview {
  role: StaffRole;
  stores: Array<{ code: string; name: string }>;
  name: string | null;
  invitedBy: string | null;
  status: StaffInviteStatus;
  expiresAt: string;
}

/** POST /api/staff-invites/:token/accept: the invitee is now staff. */
export interface StaffInviteAcceptedView {
  staffId: number;
  role: StaffRole;
  stores: string[];
}
