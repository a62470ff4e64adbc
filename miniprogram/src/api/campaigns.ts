/** Marketing (admin only): audiences (客户分层), the RFM refresh, and campaigns (营销活动) with their run reports. */
import type {
  AudiencePreviewRequest,
  AudiencePreviewResponse,
  CampaignListResponse,
  CampaignView,
  CreateCampaignRequest,
  SegmentsOverviewResponse,
  SegmentsRefreshResponse,
  UpdateCampaignRequest,
} from '@member/shared';
import { authedRequest } from './client';

export function previewAudience(request: AudiencePreviewRequest): Promise<AudiencePreviewResponse> {
  return authedRequest<AudiencePreviewResponse>('POST', '/admin/audiences/preview', request);
}

export function getSegmentsOverview(): Promise<SegmentsOverviewResponse> {
  return authedRequest<SegmentsOverviewResponse>('GET', '/admin/segments');
}

/** Recomputes every member's RFM scores and segment now (the server also does it on a schedule). */
export function refreshSegments(): Promise<SegmentsRefreshResponse> {
  return authedRequest<SegmentsRefreshResponse>('POST', '/admin/segments/refresh');
}

export function listCampaigns(): Promise<CampaignListResponse> {
  return authedRequest<CampaignListResponse>('GET', '/admin/campaigns');
}

/** Creates a draft; resent with the same `idempotencyKey` it answers the same campaign. */
export function createCampaign(request: CreateCampaignRequest): Promise<CampaignView> {
  return authedRequest<CampaignView>('POST', '/admin/campaigns', request);
}

export function getCampaign(id: number): Promise<CampaignView> {
  return authedRequest<CampaignView>('GET', `/admin/campaigns/${id}`);
}

export type CampaignAction = 'launch' | 'pause' | 'resume';

export function changeCampaign(id: number, action: CampaignAction): Promise<CampaignView> {
  return authedRequest<CampaignView>('POST', `/admin/campaigns/${id}/${action}`);
}

/** A draft only (CAMPAIGN_NOT_DRAFT otherwise). */
export function updateCampaign(id: number, request: UpdateCampaignRequest): Promise<CampaignView> {
  return authedRequest<CampaignView>('PUT', `/admin/campaigns/${id}`, request);
}

export function deleteCampaign(id: number): Promise<void> {
  return authedRequest<void>('DELETE', `/admin/campaigns/${id}`);
}
