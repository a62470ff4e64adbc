import { configSchema, type AppConfig } from '@member/config';
import type { RuntimeSettingKey } from '@member/shared';
import type { z } from 'zod';

/** What each runtime setting is: its value type, its zh-CN name, and where the config keeps its default. */
export interface RuntimeSettingValues {
  'feedback.goodwillLimits': AppConfig['feedback']['goodwillLimits'];
  'feedback.firstResponseMinutes': AppConfig['feedback']['firstResponseMinutes'];
  'feedback.pointsAdjustmentMaxPoints': AppConfig['feedback']['pointsAdjustmentMaxPoints'];
  'messages.quietHours': AppConfig['messages']['quietHours'];
  'messages.frequencyCap': AppConfig['messages']['frequencyCap'];
}

export interface RuntimeSettingDefinition<K extends RuntimeSettingKey> {
  label: string;
  description: string;
  /** The config schema's own rule for this key: a value the console saves passes what a config file must pass. */
  schema: z.ZodType<RuntimeSettingValues[K]>;
  fromConfig: (config: AppConfig) => RuntimeSettingValues[K];
}

const feedback = configSchema.shape.feedback.shape;
const messages = configSchema.shape.messages.shape;

/**
 * The whitelist: the rules HQ adjusts between deploys (service goodwill and deadlines, manual adjustments, when and
 * how often members are messaged). Anything else in config needs a deploy: secrets, hosts, templates and the
 * like are not business rules, and some (the points ledger's expiry) must not change under existing balances.
 */
export const RUNTIME_SETTINGS: { [K in RuntimeSettingKey]: RuntimeSettingDefinition<K> } = {
  'feedback.goodwillLimits': {
    label: '补偿额度（按角色）',
    description: '处理投诉时各角色单次最多可补偿的积分（maxPoints）与优惠券面额（maxCouponFaceFen，单位分）',
    schema: feedback.goodwillLimits,
    fromConfig: (config) => config.feedback.goodwillLimits,
  },
  'feedback.firstResponseMinutes': {
    label: '首次响应时限',
    description: '投诉首次响应期限（分钟）：store 为门店登记，online 为会员线上提交',
    schema: feedback.firstResponseMinutes,
    fromConfig: (config) => config.feedback.firstResponseMinutes,
  },
  'feedback.pointsAdjustmentMaxPoints': {
    label: '手工调整积分单次上限',
    description: '总部手工调整会员积分时，单次最多增减的积分数',
    schema: feedback.pointsAdjustmentMaxPoints,
    fromConfig: (config) => config.feedback.pointsAdjustmentMaxPoints,
  },
  'messages.quietHours': {
    label: '消息免打扰时段',
    description: '此时段内不发送订阅消息（顺延至结束时发送），格式 HH:MM，业务时区',
    schema: messages.quietHours,
    fromConfig: (config) => config.messages.quietHours,
  },
  'messages.frequencyCap': {
    label: '消息频次上限',
    description: '每位会员在 perDays 天内最多收到 maxMessages 条消息，超出的跳过',
    schema: messages.frequencyCap,
    fromConfig: (config) => config.messages.frequencyCap,
  },
};
