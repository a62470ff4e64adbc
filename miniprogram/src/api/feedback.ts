import type {
  AdminMemberLookup,
  CreateFeedbackRequest,
  FeedbackCaseView,
  FeedbackListResponse,
  FeedbackOptions,
  FeedbackPhotoUploaded,
  FeedbackReport,
  GoodwillOptions,
  PointsAdjustmentRequest,
  PointsAdjustmentView,
  RateFeedbackRequest,
  ResolveFeedbackRequest,
  StaffCreateFeedbackRequest,
} from '@member/shared';
import { authedRequest } from './client';
import { uploadAuthed } from './upload';

// 意见反馈 (member)
export const getFeedbackOptions = () => authedRequest<FeedbackOptions>('GET', '/feedback/options');
export const listMyFeedback = () => authedRequest<FeedbackListResponse>('GET', '/feedback');
export const getMyFeedback = (id: number) => authedRequest<FeedbackCaseView>('GET', `/feedback/${id}`);
export const createFeedback = (request: CreateFeedbackRequest) => authedRequest<FeedbackCaseView>('POST', '/feedback', request);
export const addFeedbackMessage = (id: number, body: string, idempotencyKey: string) =>
  authedRequest<FeedbackCaseView>('POST', `/feedback/${id}/messages`, { body, idempotencyKey });
export const rateFeedback = (id: number, request: RateFeedbackRequest) =>
  authedRequest<FeedbackCaseView>('POST', `/feedback/${id}/rating`, request);

/**
 * Uploads a photo the member picked (Taro.chooseImage: a temporary file in WeChat, a blob URL in the browser)
 * as `POST /api/feedback/photos`, multipart field `file`, like the avatar.
 */
export const uploadFeedbackPhoto = (filePath: string) => uploadAuthed<FeedbackPhotoUploaded>('/feedback/photos', filePath);

// 投诉与反馈 (staff)
export const listStaffFeedback = (include: 'open' | 'all' = 'open') =>
  authedRequest<FeedbackListResponse>('GET', `/staff/feedback${include === 'all' ? '?include=all' : ''}`);
export const getStaffFeedback = (id: number) => authedRequest<FeedbackCaseView>('GET', `/staff/feedback/${id}`);
export const createStaffFeedback = (request: StaffCreateFeedbackRequest) =>
  authedRequest<FeedbackCaseView>('POST', '/staff/feedback', request);
export const replyFeedback = (id: number, body: string, idempotencyKey: string) =>
  authedRequest<FeedbackCaseView>('POST', `/staff/feedback/${id}/replies`, { body, idempotencyKey });
export const resolveFeedback = (id: number, request: ResolveFeedbackRequest) =>
  authedRequest<FeedbackCaseView>('POST', `/staff/feedback/${id}/resolve`, request);
export const getFeedbackReport = (from: string, to: string) =>
  authedRequest<FeedbackReport>('GET', `/staff/feedback/report?from=${from}&to=${to}`);

// 积分调整 (HQ)
export const lookupMember = (query: { id?: number; phone?: string }) =>
  authedRequest<AdminMemberLookup>(
    'GET',
    `/admin/members/lookup?${query.id !== undefined ? `id=${query.id}` : `phone=${query.phone ?? ''}`}`,
  );
export const adjustPoints = (request: PointsAdjustmentRequest) =>
  authedRequest<PointsAdjustmentView>('POST', '/admin/points-adjustments', request);
export const getGoodwillOptions = () => authedRequest<GoodwillOptions>('GET', '/staff/feedback/goodwill-options');
