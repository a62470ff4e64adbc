/**
 * Every status in the system is a string-literal enum declared once here, so the server, the database
 * columns and the mini-program agree on the same spelling. No magic numbers, no sentinel values.
 */
export const TierCode = {
  Normal: 'normal',
  Silver: 'silver',
  Gold: 'gold',
  Diamond: 'diamond',
} as const;
export type TierCode = (typeof TierCode)[keyof typeof TierCode];
export const TIER_CODES: readonly TierCode[] = Object.values(TierCode);

/** new → active → regular (常客) → dormant (沉睡) → churned (流失); see config/README.md, "Tiers". */
export const LifecycleStatus = {
  New: 'new',
  Active: 'active',
  Regular: 'regular',
  Dormant: 'dormant',
  Churned: 'churned',
} as const;
export type LifecycleStatus = (typeof LifecycleStatus)[keyof typeof LifecycleStatus];

/**
 * Whether the member's account stands. A deleted (注销) account keeps its row, anonymised, so the ledgers that
 * point at it (sales, points, coupons) stay whole; it never comes back (a new login is a new member).
 */
export const AccountStatus = {
  Active: 'active',
  Deleted: 'deleted',
} as const;
export type AccountStatus = (typeof AccountStatus)[keyof typeof AccountStatus];

/** clerk: the till of their store(s); store_manager: their store(s)' sales and staff; admin: HQ, every store. */
export const StaffRole = {
  Clerk: 'clerk',
  StoreManager: 'store_manager',
  Admin: 'admin',
} as const;
export type StaffRole = (typeof StaffRole)[keyof typeof StaffRole];
export const STAFF_ROLES: readonly StaffRole[] = Object.values(StaffRole);

/** A store that is closed keeps its history but takes no new sales. */
export const StoreStatus = {
  Active: 'active',
  Closed: 'closed',
} as const;
export type StoreStatus = (typeof StoreStatus)[keyof typeof StoreStatus];

/** A members import (issue 18): checked (dry run done) → importing (a worker holds its lease) → done. */
export const ImportJobStatus = {
  Checked: 'checked',
  Importing: 'importing',
  Done: 'done',
} as const;
export type ImportJobStatus = (typeof ImportJobStatus)[keyof typeof ImportJobStatus];

/**
 * One row of an import file: valid (will be imported), invalid (refused by the dry run), existing (the phone is
 * a member already: skipped, never imported twice), imported (done, with its member id).
 */
export const ImportRowStatus = {
  Valid: 'valid',
  Invalid: 'invalid',
  Existing: 'existing',
  Imported: 'imported',
} as const;
export type ImportRowStatus = (typeof ImportRowStatus)[keyof typeof ImportRowStatus];

/** A streamed export: running while rows leave, then done or failed (the client went away, or an error). */
export const ExportRunStatus = {
  Running: 'running',
  Done: 'done',
  Failed: 'failed',
} as const;
export type ExportRunStatus = (typeof ExportRunStatus)[keyof typeof ExportRunStatus];

/** A staff invite (邀请员工): pending until accepted once or revoked; an expired one is pending past its time (not stored). */
export const StaffInviteStatus = {
  Pending: 'pending',
  Accepted: 'accepted',
  Revoked: 'revoked',
  Expired: 'expired',
} as const;
export type StaffInviteStatus = (typeof StaffInviteStatus)[keyof typeof StaffInviteStatus];
