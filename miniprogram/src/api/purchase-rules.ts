/** Rules that reward a purchase (营销规则 / 支付有礼, admin only), and their reports. */
import type {
  PurchaseRuleListResponse,
  PurchaseRuleReport,
  PurchaseRuleRequest,
  PurchaseRuleStatusRequest,
  PurchaseRuleView,
} from '@member/shared';
import { authedRequest } from './client';

export function listPurchaseRules(): Promise<PurchaseRuleListResponse> {
  return authedRequest<PurchaseRuleListResponse>('GET', '/admin/purchase-rules');
}

export function getPurchaseRule(id: number): Promise<PurchaseRuleView> {
  return authedRequest<PurchaseRuleView>('GET', `/admin/purchase-rules/${id}`);
}

export function createPurchaseRule(request: PurchaseRuleRequest): Promise<PurchaseRuleView> {
  return authedRequest<PurchaseRuleView>('POST', '/admin/purchase-rules', request);
}

/** Drafts only. */
export function updatePurchaseRule(id: number, request: PurchaseRuleRequest): Promise<PurchaseRuleView> {
  return authedRequest<PurchaseRuleView>('PUT', `/admin/purchase-rules/${id}`, request);
}

export function setPurchaseRuleStatus(id: number, status: PurchaseRuleStatusRequest['status']): Promise<PurchaseRuleView> {
  return authedRequest<PurchaseRuleView>('POST', `/admin/purchase-rules/${id}/status`, { status });
}

export function getPurchaseRuleReport(id: number): Promise<PurchaseRuleReport> {
  return authedRequest<PurchaseRuleReport>('GET', `/admin/purchase-rules/${id}/report`);
}
