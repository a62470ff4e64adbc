import type { CreateCouponTemplateRequest } from '@member/shared';
import type { DataSource } from 'typeorm';
import { Member } from '../members/member.entity';

/** A template request with sensible defaults: 满200减20, stock 100, one each, 7 days, claimable for a month. */
export function templateRequest(now: Date, overrides: Partial<CreateCouponTemplateRequest> = {}): CreateCouponTemplateRequest {
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
    totalStock: 100,
    perMemberLimit: 1,
    validity: { type: 'relative', validDays: 7 },
    claimStartsAt: new Date(now.getTime() - 3_600_000).toISOString(),
    claimEndsAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
    audience: 'all',
    ...overrides,
  };
}

/** Joined members inserted directly (set-based), for tests that need hundreds of claimants. */
export async function insertJoinedMembers(dataSource: DataSource, count: number, prefix: string, joinedAt: Date): Promise<number[]> {
  const rows = Array.from({ length: count }, (_, i) => ({
    openid: `${prefix}-${i}`,
    joinedAt,
    privacyAcceptedAt: joinedAt,
    privacyPolicyVersion: 'test',
  }));
  for (let i = 0; i < rows.length; i += 500) await dataSource.getRepository(Member).insert(rows.slice(i, i + 500));
  const members = await dataSource
    .getRepository(Member)
    .createQueryBuilder('m')
    .select('m.id', 'id')
    .where('m.openid LIKE :p', { p: `${prefix}-%` })
    .orderBy('m.id')
    .getRawMany<{ id: number }>();
  return members.map((m) => Number(m.id));
}
