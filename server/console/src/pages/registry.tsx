import type { StaffRole } from '@member/shared';
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/** One page of the console: its menu entry, its route (`/console/#/<path>`) and who may open it. */
export interface ConsolePage {
  path: string;
  label: string;
  /** The menu group it sits under (null: top level). */
  group: string | null;
  roles: readonly StaffRole[];
  component: LazyExoticComponent<ComponentType>;
}

const MANAGERS: readonly StaffRole[] = ['admin', 'store_manager'];
const HQ: readonly StaffRole[] = ['admin'];

/**
 * Every page, in menu order: one line each. Pages load on first visit (lazy), so the sign-in screen and the first
 * page do not wait for the charts and tables of the others.
 */
export const PAGES: readonly ConsolePage[] = [
  { path: 'home', label: '首页', group: null, roles: MANAGERS, component: lazy(() => import('./home')) },
  { path: 'members', label: '会员查询', group: '会员', roles: MANAGERS, component: lazy(() => import('./members')) },
];

export const pagesFor = (role: StaffRole): readonly ConsolePage[] => PAGES.filter((page) => page.roles.includes(role));

// Kept referenced for pages that are HQ only.
export const ROLES = { MANAGERS, HQ };
