import Taro from '@tarojs/taro';
import type { MemberProfile } from '@member/shared';
import { ApiError } from './errors';
import { apiUrl } from './http';
import { ensureSession, updateSessionMember } from './session';

/**
 * Uploads a file on the device (a temporary file in WeChat, a blob URL in the browser) as multipart field `file`
 * to an authenticated endpoint, and answers its JSON body; a non-2xx answer throws its ApiError.
 */
export async function uploadAuthed<T>(path: string, filePath: string): Promise<T> {
  const session = await ensureSession();
  let result: Taro.uploadFile.SuccessCallbackResult;
  try {
    result = await Taro.uploadFile({
      url: apiUrl(path),
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
  return body as T;
}

/**
 * Uploads the avatar the member picked with `<Button openType="chooseAvatar">` (a temporary file on the
 * device) as `POST /api/members/me/avatar` → MemberProfile with the new `avatarUrl`.
 */
export async function uploadAvatar(filePath: string): Promise<MemberProfile> {
  const member = await uploadAuthed<MemberProfile>('/members/me/avatar', filePath);
  updateSessionMember(member);
  return member;
}
