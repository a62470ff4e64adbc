// Request bodies more than one end-to-end test sends.

const HOUR_MS = 3_600_000;

/** POST /admin/coupon-templates: "满200减20", claimable from an hour ago for a day, 50 in stock, one per member, 7 days from claim. */
export function cashOffTemplateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '满200减20',
    terms: {
      kind: 'cash_off',
      valueFen: 2000,
      thresholdFen: 20000,
      percentPermille: null,
      capFen: null,
      giftName: null,
      stacksWithMemberDiscount: false,
    },
    totalStock: 50,
    perMemberLimit: 1,
    validity: { type: 'relative', validDays: 7 },
    claimStartsAt: new Date(Date.now() - HOUR_MS).toISOString(),
    claimEndsAt: new Date(Date.now() + 24 * HOUR_MS).toISOString(),
    audience: 'all',
    ...overrides,
  };
}

/** POST /admin/campaigns: a one-off campaign to every member with nothing chosen yet (give it an offer). */
export function campaignBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '冬日回归礼',
    filter: {},
    couponTemplateId: null,
    points: 0,
    messageKind: null,
    offerText: null,
    schedule: 'now',
    startsAt: null,
    dormantDays: null,
    daysBefore: null,
    holdoutPermille: 0,
    idempotencyKey: 'campaign-create-0001',
    ...overrides,
  };
}
