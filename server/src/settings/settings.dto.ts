import { RUNTIME_SETTING_KEYS } from '@member/shared';
import { z } from 'zod';
import { plainText } from '../common/validation';

const version = z.int().min(0).max(1_000_000);
export const settingKeyParam = z.object({ key: z.enum(RUNTIME_SETTING_KEYS) });
/** The value itself is checked against the key's config schema by the service (each key has its own shape). */
export const changeSettingBody = z.strictObject({ value: z.unknown(), reason: plainText(2, 200), baseVersion: version });
export const revertSettingBody = z.strictObject({ version: version.min(1), reason: plainText(2, 200), baseVersion: version });
