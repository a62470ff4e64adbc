import { PURCHASE_RULE_CHANNELS, TIER_CODES, type PurchaseRuleChannel, type TierCode } from '@member/shared';
import { z } from 'zod';
import { idField, plainText, storeCode } from '../common/validation';

const calendarDate = z.iso.date();
const limit = z.int().min(1).max(100_000_000).nullable();

export const purchaseRuleBody = z.strictObject({
  name: plainText(1, 40),
  priority: z.int().min(-1000).max(1000),
  exclusive: z.boolean(),
  conditions: z.strictObject({
    minPaidFen: z.int().min(1).max(100_000_000).nullable(),
    firstPurchase: z.boolean(),
    tiers: z.array(z.enum(TIER_CODES as [TierCode, ...TierCode[]])).max(10),
    stores: z.array(storeCode).max(100),
    startsOn: calendarDate.nullable(),
    endsOn: calendarDate.nullable(),
    memberDayOnly: z.boolean(),
    channel: z.enum(PURCHASE_RULE_CHANNELS as [PurchaseRuleChannel, ...PurchaseRuleChannel[]]),
  }),
  reward: z.strictObject({
    couponTemplateId: idField.nullable(),
    couponCount: z.int().min(0).max(9),
    points: z.int().min(0).max(1_000_000),
    multiplierPermille: z.int().min(1000).max(10_000).nullable(),
  }),
  budget: z.strictObject({ maxGrants: limit, maxPoints: limit, maxCoupons: limit }),
  takeBackOnRefund: z.boolean(),
});

export const purchaseRuleStatusBody = z.strictObject({ status: z.enum(['active', 'paused', 'ended']) });
