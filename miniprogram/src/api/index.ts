/** The typed API client: one function per endpoint of the shared contract (shared/src/api.ts). */
import type {
  DeleteAccountRequest,
  DeleteAccountResponse,
  IdentifiedMemberView,
  JoinRequest,
  MemberCard,
  MemberCodeResponse,
  MemberProfile,
  SetBirthdayRequest,
  StaffProfile,
  UpdateProfileRequest,
  VerifyMemberCodeRequest,
} from '@member/shared';
import { authedRequest } from './client';
import { endSession, updateSessionMember } from './session';

export { ApiError, isApiError, messageOf, outcomeUnknown } from './errors';
export { newIdempotencyKey, PendingKeys } from './idempotency';
export * from './campaigns';
export * from './console-login';
export * from './coupons';
export * from './messages';
export * from './payments';
export * from './points';
export * from './purchase-rules';
export * from './till';
export { currentSession, ensureSession, loadPublicConfig, onSessionChange, peekPublicConfig, startSession, type Session } from './session';
export { uploadAvatar } from './upload';

/** The contract leaves these answers open; a MemberProfile is used when the server sends one. */
function keepMember(result: unknown): void {
  const member = result as Partial<MemberProfile> | null;
  if (member && typeof member === 'object' && typeof member.id === 'number' && typeof member.joined === 'boolean') {
    updateSessionMember(member as MemberProfile);
  }
}

export async function getMemberCard(): Promise<MemberCard> {
  const card = await authedRequest<MemberCard>('GET', '/members/me/card');
  updateSessionMember(card.member);
  return card;
}

export function getMemberCode(): Promise<MemberCodeResponse> {
  return authedRequest<MemberCodeResponse>('GET', '/members/me/code');
}

export async function joinMembership(request: JoinRequest): Promise<void> {
  keepMember(await authedRequest<unknown>('POST', '/members/me/join', request));
}

export async function updateProfile(request: UpdateProfileRequest): Promise<void> {
  keepMember(await authedRequest<unknown>('PATCH', '/members/me', request));
}

export async function setBirthday(request: SetBirthdayRequest): Promise<void> {
  keepMember(await authedRequest<unknown>('PUT', '/members/me/birthday', request));
}

/** 注销. Once the server has answered, this device's session is gone too: the next call is a new visitor's. */
export async function deleteAccount(): Promise<DeleteAccountResponse> {
  const request: DeleteAccountRequest = { confirm: true };
  const answer = await authedRequest<DeleteAccountResponse>('POST', '/members/me/deletion', request);
  endSession();
  return answer;
}

export function getStaffProfile(): Promise<StaffProfile> {
  return authedRequest<StaffProfile>('GET', '/staff/me');
}

export function verifyMemberCode(request: VerifyMemberCodeRequest): Promise<IdentifiedMemberView> {
  return authedRequest<IdentifiedMemberView>('POST', '/staff/member-code/verify', request);
}
export * from './feedback';
export * from './staff-invite';
export * from './metrics';
