import type { AppConfig } from '@member/config';
import { sortTiers, tierProgress, type MemberCard, type MemberCodeResponse, type StaffMemberView } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { WalletService } from '../coupons/wallet.service';
import { spendInWindow } from '../points/spend';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { checkMemberCode, issueMemberCode, type MemberCodeSettings } from './member-code';
import type { Member } from './member.entity';
import { tierOf, toStaffView, toTierSummary } from './member.views';
import { MembersService } from './members.service';

/** The member card, its rotating code, and what a clerk sees after scanning that code. */
@Injectable()
export class MemberCardService {
  private readonly codeSettings: MemberCodeSettings;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly members: MembersService,
    private readonly wallet: WalletService,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
  ) {
    this.codeSettings = { secret: config.security.memberCodeSecret, ...config.memberCode };
  }

  async getCard(memberId: number): Promise<MemberCard> {
    const member = await this.members.getMember(memberId);
    const spendFen = await this.spendInTierWindow(member);
    const progress = tierProgress(this.config.tiers, tierOf(this.config, member).code, spendFen);
    return {
      member: this.members.profileOf(member),
      tier: toTierSummary(progress.current),
      nextTier: progress.next ? toTierSummary(progress.next) : null,
      spendFen,
      remainingToNextTierFen: progress.remainingFen,
      progressPercent: progress.percent,
      pointsBalance: member.pointsBalance,
      couponCount: await this.usableCouponCount(member),
      lifecycleStatus: member.lifecycleStatus,
      doublePointsUntil: member.doublePointsUntil && member.doublePointsUntil.getTime() + 1000 > this.clock.now().getTime() ? member.doublePointsUntil.toISOString() : null,
      tiers: sortTiers(this.config.tiers).map(toTierSummary),
      tierWindowMonths: this.config.tierWindowMonths,
    };
  }

  async issueCode(memberId: number): Promise<MemberCodeResponse> {
    const member = await this.members.getMember(memberId);
    if (!member.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
    const now = this.clock.now();
    const issued = issueMemberCode(this.codeSettings, member.id, now);
    return { code: issued.code, expiresAt: issued.expiresAt.toISOString(), refreshInSeconds: issued.refreshInSeconds, serverTime: now.toISOString() };
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

  private spendInTierWindow(member: Member): Promise<number> {
    return spendInWindow(this.dataSource.manager, member.id, this.clock.now(), this.config.tierWindowMonths, this.config.businessCalendar.timeZone);
  }

  private usableCouponCount(member: Member): Promise<number> {
    return this.wallet.usableCount(member.id);
  }
}
