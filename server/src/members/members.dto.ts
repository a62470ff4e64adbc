import type {
  DeleteAccountRequest,
  JoinRequest,
  LoginRequest,
  SetBirthdayRequest,
  UpdateProfileRequest,
  VerifyMemberCodeRequest,
} from '@member/shared';
import { z } from 'zod';
import { avatarUrl, idParam, plainText, storeCode } from '../common/validation';

/**
 * Request schemas for the members and auth routes, checked against the shared contract types so the two
 * cannot drift apart. Shape problems answer VALIDATION_FAILED; business rules (consent, birthday rules)
 * answer their own codes from the services.
 */
const wechatCode = z.string().trim().min(1).max(256);

export const loginBody = z.strictObject({ code: wechatCode }) satisfies z.ZodType<LoginRequest>;

export const joinBody = z.strictObject({
  privacyAccepted: z.boolean(),
  privacyPolicyVersion: plainText(1, 32),
  phoneCode: wechatCode,
}) satisfies z.ZodType<Omit<JoinRequest, 'privacyAccepted'> & { privacyAccepted: boolean }>;

export const updateProfileBody = z
  .strictObject({
    nickname: plainText(1, 32).optional(),
    // Only our uploaded avatars or WeChat's avatar hosts: any URL would make every clerk's page fetch it.
    avatarUrl: avatarUrl.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'nothing to update') satisfies z.ZodType<UpdateProfileRequest>;

/** 注销 needs `confirm: true`; a missing or other value is ACCOUNT_DELETE_NOT_CONFIRMED (checked in the controller). */
export const deleteAccountBody = z.strictObject({ confirm: z.literal(true) }) satisfies z.ZodType<DeleteAccountRequest>;

export const setBirthdayBody = z.strictObject({
  birthday: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
}) satisfies z.ZodType<SetBirthdayRequest>;

export const verifyMemberCodeBody = z.strictObject({
  code: z.string().trim().min(1).max(64),
  storeCode: storeCode.optional(),
}) satisfies z.ZodType<VerifyMemberCodeRequest>;

export const memberIdParam = idParam;
