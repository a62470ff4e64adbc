/** The metrics the staff dashboard reads (数据看板): the same API as the console's dashboard. */
import type { DashboardResponse, MetricsStoresResponse } from '@member/shared';
import { authedRequest } from './client';

export const getMetricsStores = () => authedRequest<MetricsStoresResponse>('GET', '/staff/metrics/stores');

export const getMetricsDashboard = (from: string, to: string, store: string | null) =>
  authedRequest<DashboardResponse>('GET', `/staff/metrics/dashboard?from=${from}&to=${to}${store ? `&store=${store}` : ''}`);
