/**
 * Runtime settings (设置): a few business rules from config HQ may change from the console without a deploy.
 * Every change is a new version (who, when, why); the effective value is the latest version, or the config's
 * value when there is none. The keys are the config's own paths (config/README.md explains each).
 */
export const RUNTIME_SETTING_KEYS = [
  'feedback.goodwillLimits',
  'feedback.firstResponseMinutes',
  'feedback.pointsAdjustmentMaxPoints',
  'messages.quietHours',
  'messages.frequencyCap',
] as const;
export type RuntimeSettingKey = (typeof RUNTIME_SETTING_KEYS)[number];

export function isRuntimeSettingKey(value: string): value is RuntimeSettingKey {
  return (RUNTIME_SETTING_KEYS as readonly string[]).includes(value);
}

/** GET /api/staff/settings: one row per key. */
export interface RuntimeSettingView {
  key: RuntimeSettingKey;
  label: string;
  description: string;
  value: unknown;
  /** The config's value: what applies when no version exists. */
  defaultValue: unknown;
  /** 0 when the config's value applies. */
  version: number;
  changedBy: string | null;
  changedAt: string | null;
}

/** GET /api/staff/settings/:key/versions: newest first. */
export interface RuntimeSettingVersionView {
  key: RuntimeSettingKey;
  version: number;
  value: unknown;
  reason: string;
  changedBy: string | null;
  changedByStaffId: number;
  changedAt: string;
  /** Set when this version restored an earlier one (回滚). */
  revertedFrom: number | null;
}
