/** WeChat Pay in the app: the member's checkout and orders; the clerk's order list and refunds. */
import type {
  CheckoutOptions,
  CreatePayOrderRequest,
  CreatePayOrderResponse,
  CreatePayRefundRequest,
  MemberOrderListResponse,
  MemberOrderView,
  PayOrderListResponse,
  PayOrderStatus,
  PayOrderView,
  PendingPayOrderResponse,
} from '@member/shared';
import { authedRequest } from './client';

/** What the member may apply to this amount at this store (coupons and why not, points and the burn rule). */
export function getCheckoutOptions(amountFen: number, storeCode: string): Promise<CheckoutOptions> {
  return authedRequest<CheckoutOptions>('GET', `/pay/checkout?amountFen=${amountFen}&storeCode=${encodeURIComponent(storeCode)}`);
}

/** `idempotencyKey`: one per checkout; the same again when that checkout is resent after a network error. */
export function createPayOrder(request: CreatePayOrderRequest): Promise<CreatePayOrderResponse> {
  return authedRequest<CreatePayOrderResponse>('POST', '/pay/orders', request);
}

/** `confirm`: a pending order is looked up at WeChat at once (right after the cashier said it was paid). */
export function getPayOrder(outTradeNo: string, confirm = false): Promise<CreatePayOrderResponse> {
  return authedRequest<CreatePayOrderResponse>('GET', `/pay/orders/${encodeURIComponent(outTradeNo)}${confirm ? '?confirm=1' : ''}`);
}

/** The member gives up an unpaid order: it is closed and its coupon and points come back. */
export function cancelPayOrder(outTradeNo: string): Promise<PayOrderView> {
  return authedRequest<PayOrderView>('POST', `/pay/orders/${encodeURIComponent(outTradeNo)}/cancel`);
}

/** The member's newest unpaid order still payable (the banner on 首页 and 我的订单 read it after a reload). */
export function getPendingPayOrder(): Promise<PendingPayOrderResponse> {
  return authedRequest<PendingPayOrderResponse>('GET', '/pay/orders/pending');
}

/** Pay an unpaid order again: fresh `wx.requestPayment` parameters, or `payment: null` once it cannot be paid. */
export function resumePayOrder(outTradeNo: string): Promise<CreatePayOrderResponse> {
  return authedRequest<CreatePayOrderResponse>('POST', `/pay/orders/${encodeURIComponent(outTradeNo)}/resume`);
}

/** 我的订单: app and till orders, newest first; `cursor` is the previous page's `nextCursor`. */
export function listMyOrders(cursor?: string | null): Promise<MemberOrderListResponse> {
  return authedRequest<MemberOrderListResponse>('GET', `/my-orders${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
}

export function getMyOrder(ref: string): Promise<MemberOrderView> {
  return authedRequest<MemberOrderView>('GET', `/my-orders/${encodeURIComponent(ref)}`);
}

/** Staff: app orders, newest first; `before` is the previous page's `nextBefore`. */
export function listPayOrders(status?: PayOrderStatus, before?: number | null): Promise<PayOrderListResponse> {
  const query = [status ? `status=${status}` : '', before ? `before=${before}` : ''].filter(Boolean).join('&');
  return authedRequest<PayOrderListResponse>('GET', `/staff/pay/orders${query ? `?${query}` : ''}`);
}

export function getStaffPayOrder(outTradeNo: string): Promise<PayOrderView> {
  return authedRequest<PayOrderView>('GET', `/staff/pay/orders/${encodeURIComponent(outTradeNo)}`);
}

/** `outRefundNo`: one per refund the clerk asks for; the same again on a retry, so it refunds once. */
export function refundPayOrder(outTradeNo: string, request: CreatePayRefundRequest): Promise<PayOrderView> {
  return authedRequest<PayOrderView>('POST', `/staff/pay/orders/${encodeURIComponent(outTradeNo)}/refunds`, request);
}
