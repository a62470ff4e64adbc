/** Purchases at the till (clerk) and the member's points. */
import type {
  ClaimCouponRequest,
  CouponView,
  PointsShopEntry,
  PointsResponse,
  PurchaseView,
  RecordPurchaseRequest,
  RefundPurchaseRequest,
  RefundView,
} from '@member/shared';
import { authedRequest } from './client';

export function recordPurchase(request: RecordPurchaseRequest): Promise<PurchaseView> {
  return authedRequest<PurchaseView>('POST', '/staff/purchases', request);
}

export function refundPurchase(purchaseId: number, request: RefundPurchaseRequest): Promise<RefundView> {
  return authedRequest<RefundView>('POST', `/staff/purchases/${purchaseId}/refunds`, request);
}

export function getPointsShop(): Promise<PointsShopEntry[]> {
  return authedRequest<PointsShopEntry[]>('GET', '/points-shop');
}

/** `idempotencyKey`: one per tap, the same again when that tap is retried after a network error. */
export function exchangePoints(templateId: number, idempotencyKey: string): Promise<CouponView> {
  const request: ClaimCouponRequest = { idempotencyKey };
  return authedRequest<CouponView>('POST', `/points-shop/${templateId}/exchange`, request);
}

/** `before`: the `nextBefore` of the previous page. */
export function getPoints(before?: number): Promise<PointsResponse> {
  return authedRequest<PointsResponse>('GET', `/members/me/points${before ? `?before=${before}` : ''}`);
}
