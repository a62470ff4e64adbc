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
  { path: 'dashboard', label: '数据看板', group: null, roles: MANAGERS, component: lazy(() => import('./dashboard')) },
  { path: 'members', label: '会员查询', group: '会员', roles: MANAGERS, component: lazy(() => import('./members')) },
  { path: 'import', label: '导入导出', group: '会员', roles: MANAGERS, component: lazy(() => import('./import')) },
  { path: 'coupons', label: '优惠券', group: '营销', roles: HQ, component: lazy(() => import('./coupons')) },
  { path: 'campaigns', label: '营销活动', group: '营销', roles: HQ, component: lazy(() => import('./campaigns')) },
  { path: 'rules', label: '支付有礼', group: '营销', roles: HQ, component: lazy(() => import('./rules')) },
  { path: 'service', label: '投诉与反馈', group: '服务', roles: MANAGERS, component: lazy(() => import('./service')) },
  { path: 'staff', label: '门店与员工', group: '系统', roles: MANAGERS, component: lazy(() => import('./staff')) },
  { path: 'audit', label: '操作日志', group: '系统', roles: MANAGERS, component: lazy(() => import('./audit')) },
  { path: 'settings', label: '运行时设置', group: '系统', roles: HQ, component: lazy(() => import('./settings')) },
];

export const pagesFor = (role: StaffRole): readonly ConsolePage[] => PAGES.filter((page) => page.roles.includes(role));
