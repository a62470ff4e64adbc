import type { AppConfig } from '@member/config';
import { sortTiers, tierProgress, type MemberCard, type MemberCodeResponse, type StaffMemberView, type TierSummary } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { WalletService } from '../coupons/wallet.service';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { CardCalendar } from './card-calendar';
import { CardReader } from './member-card.read';
import { checkMemberCode, issueMemberCode, type MemberCodeSettings } from './member-code';
import type { Member } from './member.entity';
import { tierOf, toProfile, toStaffView, toTierSummary } from './member.views';
import { MembersService } from './members.service';

/** validUntil is the last valid second: a coupon is usable while valid_until ≥ now truncated to the second (as in the wallet). */
function secondOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/** The member card, its rotating code, and what a clerk sees after scanning that code. */
@Injectable()
export class MemberCardService {
  private readonly codeSettings: MemberCodeSettings;
  /** Every tier, lowest first, as the card shows them: config, so the same for every card until a restart. */
  private readonly tierTable: TierSummary[];
  private readonly calendar: CardCalendar;
  private readonly reader: CardReader;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly members: MembersService,
    private readonly wallet: WalletService,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
  ) {
    this.codeSettings = { secret: config.security.memberCodeSecret, ...config.memberCode };
    this.tierTable = sortTiers(config.tiers).map(toTierSummary);
    this.calendar = new CardCalendar(config.businessCalendar.timeZone, config.tierWindowMonths);
    this.reader = new CardReader(dataSource, () => {
      const now = this.clock.now();
      return { now, spendSince: this.calendar.windowStart(now), couponsValidAt: secondOf(now) };
    });
  }

  /**
   * One statement for the cards asked for at once (see member-card.read.ts); the tier table is config, built once;
   * the calendar memoized (card-calendar.ts).
   */
  async getCard(memberId: number): Promise<MemberCard> {
    const { row: read, at } = await this.reader.read(memberId);
    if (!read) throw new DomainError('MEMBER_NOT_FOUND');
    const now = at.now;
    const { member, spendFen } = read;
    const progress = tierProgress(this.config.tiers, tierOf(this.config, member).code, spendFen);
    return {
      member: toProfile(member, this.config, this.calendar.today(now)),
      tier: toTierSummary(progress.current),
      nextTier: progress.next ? toTierSummary(progress.next) : null,
      spendFen,
      remainingToNextTierFen: progress.remainingFen,
      progressPercent: progress.percent,
      pointsBalance: member.pointsBalance,
      couponCount: read.usableCoupons,
      lifecycleStatus: member.lifecycleStatus,
      doublePointsUntil:
        member.doublePointsUntil && member.doublePointsUntil.getTime() + 1000 > now.getTime()
          ? member.doublePointsUntil.toISOString()
          : null,
      tiers: this.tierTable,
      tierWindowMonths: this.config.tierWindowMonths,
    };
  }

  async issueCode(memberId: number): Promise<MemberCodeResponse> {
    const member = await this.members.getMember(memberId);
    if (!member.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
    const now = this.clock.now();
    const issued = issueMemberCode(this.codeSettings, member.id, now);
    return {
      code: issued.code,
      expiresAt: issued.expiresAt.toISOString(),
      refreshInSeconds: issued.refreshInSeconds,
      serverTime: now.toISOString(),
    };
  }

  /** A clerk scanned or typed a member code: a forged code and a stale screenshot are both refused. */
  async verifyCode(code: string): Promise<StaffMemberView> {
    const check = checkMemberCode(this.codeSettings, code, this.clock.now());
    if (!check.ok) throw new DomainError(check.reason === 'EXPIRED' ? 'MEMBER_CODE_EXPIRED' : 'MEMBER_CODE_INVALID');
    return this.staffView(check.memberId);
  }

  async staffView(memberId: number): Promise<StaffMemberView> {
    const member = await this.members.getMember(memberId);
    if (!member.joinedAt) throw new DomainError('MEMBER_NOT_FOUND');
    return toStaffView(member, this.config, await this.usableCouponCount(member));
  }

  private usableCouponCount(member: Member): Promise<number> {
    return this.wallet.usableCount(member.id);
  }
}
