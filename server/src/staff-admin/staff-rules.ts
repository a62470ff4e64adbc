import type { ErrorCode, StaffRole } from '@member/shared';

/** Who acts: the caller's role and stores (an admin's stores do not matter: HQ works everywhere). */
export interface Actor {
  id: number;
  role: StaffRole;
  stores: readonly string[];
}

/** An account as it is, or as it would become. */
export interface StaffShape {
  role: StaffRole;
  stores: readonly string[];
}

/**
 * Whether `actor` may give an account this role and these stores (an invite, or a change of role): HQ may give
 * any role at any stores; a store manager only makes clerks, and only of their own stores (one manager cannot
 * staff another's shop, nor make a peer). A clerk manages nobody. Every non-admin account needs a store.
 */
export function grantRefusal(actor: Actor, wanted: StaffShape): ErrorCode | null {
  if (wanted.role !== 'admin' && wanted.stores.length === 0) return 'STORE_REQUIRED';
  if (actor.role === 'admin') return null;
  if (actor.role !== 'store_manager') return 'FORBIDDEN';
  if (wanted.role !== 'clerk') return 'STAFF_MANAGE_REFUSED';
  return wanted.stores.every((store) => actor.stores.includes(store)) ? null : 'STAFF_MANAGE_REFUSED';
}

/**
 * Whether `actor` may change or disable this existing account: HQ any account but its own; a store manager the
 * clerks whose every store is one of the manager's (a clerk shared with another shop stays that shop's too: HQ).
 */
export function manageRefusal(actor: Actor, target: StaffShape & { id: number }): ErrorCode | null {
  if (target.id === actor.id) return 'STAFF_SELF_CHANGE';
  if (actor.role === 'admin') return null;
  if (actor.role !== 'store_manager') return 'FORBIDDEN';
  if (target.role !== 'clerk' || target.stores.length === 0) return 'STAFF_MANAGE_REFUSED';
  return target.stores.every((store) => actor.stores.includes(store)) ? null : 'STAFF_MANAGE_REFUSED';
}

/** Whether a manager sees this account in the list: it works at one of the manager's stores. HQ sees all. */
export function seesStaff(actor: Actor, target: StaffShape): boolean {
  return actor.role === 'admin' || target.stores.some((store) => actor.stores.includes(store));
}
