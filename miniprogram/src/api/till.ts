/** The clerk's till (identifying is verifyMemberCode): the identified member again, the store's sales and day summary. */
import type { SalesPage, SalesQuery, SalesSummary, StaffMemberView, TillQuote, TillQuoteRequest } from '@member/shared';
import { authedRequest } from './client';

/** The identified member again (points and coupons after a sale); allowed while the clerk serves them. */
export function getStaffMember(memberId: number): Promise<StaffMemberView> {
  return authedRequest<StaffMemberView>('GET', `/staff/members/${memberId}`);
}

function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function listSales(request: SalesQuery): Promise<SalesPage> {
  return authedRequest<SalesPage>('GET', `/staff/sales${query({ ...request })}`);
}

export function getSalesSummary(request: { date?: string; storeCode?: string } = {}): Promise<SalesSummary> {
  return authedRequest<SalesSummary>('GET', `/staff/sales/summary${query(request)}`);
}

/** 应付 before the clerk confirms (the purchase's own coupon check and points rule). */
export function quotePurchase(request: TillQuoteRequest): Promise<TillQuote> {
  return authedRequest<TillQuote>('POST', '/staff/purchases/quote', request);
}
