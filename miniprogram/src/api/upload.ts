import Taro from '@tarojs/taro';
import type { MemberProfile } from '@member/shared';
import { ApiError } from './errors';
import { apiUrl } from './http';
import { ensureSession, updateSessionMember } from './session';

/**
 * Uploads the avatar the member picked with `<Button openType="chooseAvatar">` (a temporary file on the
 * device) as `POST /api/members/me/avatar`, multipart field `file` → MemberProfile with the new `avatarUrl`.
 */
export async function uploadAvatar(filePath: string): Promise<MemberProfile> {
  const session = await ensureSession();
  let result: Taro.uploadFile.SuccessCallbackResult;
  try {
    result = await Taro.uploadFile({
      url: apiUrl('/members/me/avatar'),
      filePath,
      name: 'file',
      header: { Authorization: `Bearer ${session.token}` },
    });
  } catch {
    throw ApiError.client('NETWORK_ERROR');
  }
  let body: unknown = null;
  try {
    body = JSON.parse(result.data);
  } catch {
    // Not JSON: handled below by status.
  }
  if (result.statusCode < 200 || result.statusCode >= 300) throw ApiError.fromResponse(result.statusCode, body);
  const member = body as MemberProfile;
  updateSessionMember(member);
  return member;
}
