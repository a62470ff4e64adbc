// A few coupons for the demo's claim centre, so a newcomer sees the coupon journey without first learning
// the admin pages. Created through the admin API, as the demo store manager, only when there are none.
import type { CreateCouponTemplateRequest } from '@member/shared';
import { TestApi } from '../support/api-client';

const DAY = 86_400_000;

function demoTemplates(now: number): CreateCouponTemplateRequest[] {
  const claimWindow = { claimStartsAt: new Date(now - DAY).toISOString(), claimEndsAt: new Date(now + 90 * DAY).toISOString() };
  const noCap = { percentPermille: null, capFen: null, giftName: null };
  return [
    {
      name: '会员专享满减券',
      terms: { kind: 'cash_off', valueFen: 2000, thresholdFen: 20000, ...noCap, stacksWithMemberDiscount: false },
      totalStock: 1000,
      perMemberLimit: 1,
      validity: { type: 'relative', validDays: 7 },
      audience: 'all',
      ...claimWindow,
    },
    {
      name: '新人见面礼',
      terms: { kind: 'no_threshold', valueFen: 500, thresholdFen: 0, ...noCap, stacksWithMemberDiscount: true },
      totalStock: 500,
      perMemberLimit: 1,
      validity: { type: 'relative', validDays: 3 },
      audience: 'new_members',
      ...claimWindow,
    },
    {
      name: '金卡专享折扣',
      terms: {
        kind: 'percent_off',
        valueFen: null,
        thresholdFen: 0,
        percentPermille: 850,
        capFen: 5000,
        giftName: null,
        stacksWithMemberDiscount: false,
      },
      totalStock: 200,
      perMemberLimit: 2,
      validity: { type: 'relative', validDays: 30 },
      audience: 'tiers',
      audienceTiers: ['gold', 'diamond'],
      ...claimWindow,
    },
  ];
}

/** Returns how many templates it created (0 when the store already has some). */
export async function seedDemoCoupons(serverUrl: string, emulatorUrl: string, appid: string, managerUser: string): Promise<number> {
  const api = new TestApi(serverUrl, emulatorUrl, appid);
  const { token } = await api.login(managerUser);
  const existing = await api.call('GET', '/admin/coupon-templates', { token });
  if (existing.status !== 200) throw new Error(`listing coupon templates: ${existing.status} ${JSON.stringify(existing.body)}`);
  if ((existing.body as unknown[]).length > 0) return 0;
  let created = 0;
  for (const template of demoTemplates(Date.now())) {
    const answer = await api.call('POST', '/admin/coupon-templates', { token, body: template });
    if (answer.status !== 201) throw new Error(`creating demo coupon "${template.name}": ${answer.status} ${JSON.stringify(answer.body)}`);
    created++;
  }
  return created;
}
