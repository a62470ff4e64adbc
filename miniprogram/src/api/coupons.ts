/** Coupons: the member's claim centre, wallet and coupon detail; the clerk's redemption; the admin's templates. */
import type {
  ClaimCentreEntry,
  ClaimCouponRequest,
  CouponPreview,
  CouponTemplateStatus,
  CouponTemplateView,
  CouponView,
  CreateCouponTemplateRequest,
  RedeemCouponRequest,
  RedemptionView,
  ReverseRedemptionResponse,
  SetCouponTemplateStatusRequest,
  UpdateCouponTemplateRequest,
  WalletResponse,
  WalletTab,
} from '@member/shared';
import { authedRequest } from './client';

export function getClaimCentre(): Promise<ClaimCentreEntry[]> {
  return authedRequest<ClaimCentreEntry[]>('GET', '/coupons/claim-centre');
}

/** `idempotencyKey`: one per tap, the same again when that tap is retried after a network error. */
export function claimCoupon(templateId: number, idempotencyKey: string): Promise<CouponView> {
  const request: ClaimCouponRequest = { idempotencyKey };
  return authedRequest<CouponView>('POST', `/coupons/templates/${templateId}/claim`, request);
}

export function getWallet(tab: WalletTab): Promise<WalletResponse> {
  return authedRequest<WalletResponse>('GET', `/coupons/wallet?tab=${tab}`);
}

export function getCoupon(id: number): Promise<CouponView> {
  return authedRequest<CouponView>('GET', `/coupons/${id}`);
}

export function previewRedemption(request: Omit<RedeemCouponRequest, 'idempotencyKey'>): Promise<CouponPreview> {
  return authedRequest<CouponPreview>('POST', '/staff/coupons/preview', request);
}

export function redeemCoupon(request: RedeemCouponRequest & { idempotencyKey: string }): Promise<RedemptionView> {
  return authedRequest<RedemptionView>('POST', '/staff/coupons/redeem', request);
}

export function reverseRedemption(redemptionId: number): Promise<ReverseRedemptionResponse> {
  return authedRequest<ReverseRedemptionResponse>('POST', `/staff/coupons/redemptions/${redemptionId}/reverse`);
}

export function listCouponTemplates(): Promise<CouponTemplateView[]> {
  return authedRequest<CouponTemplateView[]>('GET', '/admin/coupon-templates');
}

export function createCouponTemplate(request: CreateCouponTemplateRequest): Promise<CouponTemplateView> {
  return authedRequest<CouponTemplateView>('POST', '/admin/coupon-templates', request);
}

export function setCouponTemplateStatus(id: number, status: CouponTemplateStatus): Promise<CouponTemplateView> {
  const request: SetCouponTemplateStatusRequest = { status };
  return authedRequest<CouponTemplateView>('PATCH', `/admin/coupon-templates/${id}/status`, request);
}

export function getCouponTemplate(id: number): Promise<CouponTemplateView> {
  return authedRequest<CouponTemplateView>('GET', `/admin/coupon-templates/${id}`);
}

/** While it is not live only (COUPON_TEMPLATE_ALREADY_LIVE otherwise). */
export function updateCouponTemplate(id: number, request: UpdateCouponTemplateRequest): Promise<CouponTemplateView> {
  return authedRequest<CouponTemplateView>('PUT', `/admin/coupon-templates/${id}`, request);
}

export function deleteCouponTemplate(id: number): Promise<void> {
  return authedRequest<void>('DELETE', `/admin/coupon-templates/${id}`);
}
