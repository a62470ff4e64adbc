import type { AppConfig, TierConfig } from '@member/config';
import { nextBirthdayChangeOn, type CalendarDate, type MemberProfile, type StaffMemberView, type TierSummary } from '@member/shared';
import type { Member } from './member.entity';

/** Entity → contract shapes. The only place that decides what of a member leaves the server. */
export function toTierSummary(tier: TierConfig): TierSummary {
  return {
    code: tier.code,
    name: tier.name,
    minSpendFen: tier.minSpendFen,
    pointsMultiplierPermille: tier.pointsMultiplierPermille,
    benefits: tier.benefits,
  };
}

export function tierOf(config: AppConfig, member: Pick<Member, 'tier'>): TierConfig {
  const tier = config.tiers.find((t) => t.code === member.tier);
  // A tier removed from config must not break the card: fall back to the entry tier.
  return tier ?? [...config.tiers].sort((a, b) => a.minSpendFen - b.minSpendFen)[0];
}

export function toProfile(
  member: Pick<Member, 'id' | 'nickname' | 'avatarUrl' | 'phoneMasked' | 'joinedAt' | 'birthday' | 'birthdaySetOn'>,
  config: AppConfig,
  today: CalendarDate,
): MemberProfile {
  let birthdayLockedUntil: CalendarDate | null = null;
  if (member.birthday && member.birthdaySetOn) {
    const next = nextBirthdayChangeOn(member.birthdaySetOn, config.birthday);
    if (next > today) birthdayLockedUntil = next;
  }
  return {
    id: member.id,
    nickname: member.nickname,
    avatarUrl: member.avatarUrl,
    phoneMasked: member.phoneMasked,
    joined: member.joinedAt !== null,
    joinedAt: member.joinedAt?.toISOString() ?? null,
    birthday: member.birthday,
    birthdayLockedUntil,
  };
}

export function toStaffView(member: Member, config: AppConfig, couponCount: number): StaffMemberView {
  return {
    id: member.id,
    nickname: member.nickname,
    avatarUrl: member.avatarUrl,
    phoneMasked: member.phoneMasked,
    tier: toTierSummary(tierOf(config, member)),
    pointsBalance: member.pointsBalance,
    couponCount,
    birthday: member.birthday,
    joinedAt: member.joinedAt?.toISOString() ?? null,
    lifecycleStatus: member.lifecycleStatus,
  };
}
