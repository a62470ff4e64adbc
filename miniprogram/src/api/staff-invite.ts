/** Accepting a staff invite (邀请员工): the invitee is not staff yet, so these are member calls. */
import type { StaffInviteAcceptedView, StaffInvitePreview } from '@member/shared';
import { authedRequest } from './client';

export function previewStaffInvite(token: string): Promise<StaffInvitePreview> {
  return authedRequest<StaffInvitePreview>('GET', `/staff-invites/${token}`);
}

export function acceptStaffInvite(token: string): Promise<StaffInviteAcceptedView> {
  return authedRequest<StaffInviteAcceptedView>('POST', `/staff-invites/${token}/accept`);
}
