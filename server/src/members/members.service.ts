import type { AppConfig } from '@member/config';
import {
  AccountStatus,
  decideBirthdayChange,
  parseCalendarDate,
  type JoinRequest,
  type MemberProfile,
  type UpdateProfileRequest,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { businessDate, Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { DomainEvents } from '../events/domain-event-bus';
import { MemberJoined } from '../events/domain-events';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { WechatClient } from '../wechat/wechat.client';
import { WechatApiError } from '../wechat/wechat.errors';
import { Member } from './member.entity';
import { toProfile } from './member.views';
import { membersRepository } from './members.repository';
import { PhoneVault } from './phone-vault';

/** The member's own profile: created on first login, joined with consent + phone, birthday once a year. */
@Injectable()
export class MembersService {
  private readonly logger = new Logger(MembersService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly wechat: WechatClient,
    private readonly phoneVault: PhoneVault,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  /** The member row for an openid, created on first sight; two first logins at once still make one row. */
  async findOrCreateByOpenid(openid: string, unionid: string | null): Promise<Member> {
    const repository = this.dataSource.getRepository(Member);
    const existing = await repository.findOneBy({ openid });
    if (existing) return existing;
    try {
      // Dated by the domain's clock like joined_at, so a moved clock (tests, the demo's history) keeps them in order.
      await this.transactions.run((em) => em.insert(Member, { openid, unionid, createdAt: this.clock.now() }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return repository.findOneByOrFail({ openid });
  }

  async getMember(memberId: number, manager: EntityManager = this.dataSource.manager): Promise<Member> {
    const member = await manager.findOneBy(Member, { id: memberId });
    if (!member) throw new DomainError('MEMBER_NOT_FOUND');
    return member;
  }

  /** The member bound to this mainland mobile number (by its keyed hash), for HQ's look-up; null when none. */
  async idByPhone(nationalNumber: string): Promise<number | null> {
    const phoneHash = this.phoneVault.lookupHash(PhoneVault.normalize('86', nationalNumber));
    const member = await this.dataSource.getRepository(Member).findOne({ where: { phoneHash }, select: { id: true } });
    return member?.id ?? null;
  }

  /** The member, refused with SESSION_REVOKED once their account is deleted (a request that raced the deletion). */
  async getLiveMember(memberId: number, manager: EntityManager = this.dataSource.manager): Promise<Member> {
    const member = await this.getMember(memberId, manager);
    if (member.accountStatus === AccountStatus.Deleted) throw new DomainError('SESSION_REVOKED');
    return member;
  }

  async getProfile(memberId: number): Promise<MemberProfile> {
    return this.profileOf(await this.getMember(memberId));
  }

  profileOf(member: Member): MemberProfile {
    return toProfile(member, this.config, this.today());
  }

  /**
   * Joining = consent to the current privacy policy + a verified phone number. Joining again is a
   * successful no-op (a retried request whose answer was lost must not fail), and a phone number can belong
   * to one member only (unique index on its hash).
   */
  async join(memberId: number, request: JoinRequest, openid: string): Promise<MemberProfile> {
    if (request.privacyAccepted !== true || request.privacyPolicyVersion !== this.config.privacy.policyVersion) {
      throw new DomainError('PRIVACY_CONSENT_REQUIRED', undefined, { version: request.privacyPolicyVersion });
    }
    const current = await this.getLiveMember(memberId);
    if (current.joinedAt) return this.profileOf(current);

    // The WeChat call happens before the transaction: no slow network call while holding row locks.
    let phone: Awaited<ReturnType<MembersService['exchangePhoneCode']>>;
    try {
      phone = await this.exchangePhoneCode(request.phoneCode, openid);
    } catch (error) {
      // A join resent while the first was still running: the first spent the code (WeChat's codes are single-use)
      // and joined meanwhile. The retry answers as joining again does, not PHONE_CODE_INVALID.
      if (!(error instanceof DomainError && error.code === 'PHONE_CODE_INVALID')) throw error;
      const meanwhile = await this.getLiveMember(memberId).catch(() => null);
      if (meanwhile?.joinedAt) return this.profileOf(meanwhile);
      throw error;
    }
    const normalized = PhoneVault.normalize(phone.countryCode, phone.purePhoneNumber);
    const now = this.clock.now();
    const phoneHash = this.phoneVault.lookupHash(normalized);
    let memberIdNow = memberId;
    try {
      await this.transactions.run(async (em) => {
        memberIdNow = memberId;
        // Issue 18: the phone is an imported member's (brought in from the retailer's old system): this WeChat
        // user IS that member, with their points and tier; the empty row their first login made is retired.
        const imported = await membersRepository.lockUnboundImported(em, phoneHash);
        if (imported) {
          const bound = await membersRepository.bindImported(em, {
            importedId: imported.id,
            visitorId: memberId,
            openid,
            unionid: current.unionid,
            policyVersion: request.privacyPolicyVersion,
            now,
          });
          if (!bound) throw new DomainError('PHONE_ALREADY_BOUND');
          memberIdNow = imported.id;
          return;
        }
        const joined = await em
          .createQueryBuilder()
          .update(Member)
          .set({
            phoneCipher: this.phoneVault.seal(normalized),
            phoneHash,
            phoneMasked: PhoneVault.mask(phone.purePhoneNumber),
            phoneLast4: PhoneVault.last4(phone.purePhoneNumber),
            privacyPolicyVersion: request.privacyPolicyVersion,
            privacyAcceptedAt: now,
            joinedAt: now,
          })
          // A deleted account (joined_at cleared by 注销) is never joined again by a request that raced it.
          .where('id = :id AND joined_at IS NULL AND account_status = :active', { id: memberId, active: AccountStatus.Active })
          .execute();
        // Only the request that joined announces it (a racing second one changes nothing).
        if (joined.affected === 1) await this.events.publish(em, new MemberJoined(memberId, now));
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('PHONE_ALREADY_BOUND');
      throw error;
    }
    if (memberIdNow !== memberId) {
      // Not getLiveMember(memberId): that row is the retired visitor now. The mini-program's next call with its
      // old token answers SESSION_REVOKED, and its silent re-login lands on the imported member.
      this.logger.log({ memberId: memberIdNow, visitorId: memberId }, 'imported member bound to WeChat');
      return this.profileOf(await this.getMember(memberIdNow));
    }
    await this.getLiveMember(memberId);
    this.logger.log({ memberId }, 'member joined');
    return this.profileOf(await this.getMember(memberId));
  }

  async updateProfile(memberId: number, patch: UpdateProfileRequest): Promise<MemberProfile> {
    const changes: Partial<Member> = {};
    if (patch.nickname !== undefined) changes.nickname = patch.nickname;
    if (patch.avatarUrl !== undefined) changes.avatarUrl = patch.avatarUrl;
    if (Object.keys(changes).length > 0) {
      // Conditional on the account standing: an edit that passed the session check just before a deletion
      // (注销) committed must not write a nickname back onto the anonymised row.
      const result = await this.transactions.run((em) => em.update(Member, { id: memberId, accountStatus: AccountStatus.Active }, changes));
      if (result.affected !== 1) await this.getLiveMember(memberId);
    }
    return this.getProfile(memberId);
  }

  /**
   * Sets the birthday under the once-a-year rule. The update is conditional on the row's version, so two
   * changes racing each other cannot both pass the rule: the loser re-reads and is judged again.
   */
  async setBirthday(memberId: number, birthday: string): Promise<MemberProfile> {
    for (let attempt = 0; attempt < 3; attempt++) {
      // 注销 bumps the version too, so a birthday racing a deletion loses, re-reads and is refused here.
      const member = await this.getLiveMember(memberId);
      if (!member.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
      const today = this.today();
      const decision = decideBirthdayChange({
        current: member.birthday,
        lastSetOn: member.birthdaySetOn,
        requested: birthday,
        today,
        rule: this.config.birthday,
      });
      if (!decision.ok) {
        throw new DomainError(decision.code, undefined, 'nextChangeOn' in decision ? { nextChangeOn: decision.nextChangeOn } : undefined);
      }
      if (!decision.changed) return this.profileOf(member);
      const date = parseCalendarDate(birthday)!;
      const result = await this.transactions.run((em) =>
        em
          .createQueryBuilder()
          .update(Member)
          .set({ birthday, birthdayMonth: date.month, birthdayDay: date.day, birthdaySetOn: today, version: () => 'version + 1' })
          .where('id = :id AND version = :version', { id: memberId, version: member.version })
          .execute(),
      );
      if (result.affected === 1) return this.getProfile(memberId);
    }
    throw new DomainError('BIRTHDAY_CHANGE_TOO_SOON');
  }

  private today() {
    return businessDate(this.clock.now(), this.config.businessCalendar.timeZone);
  }

  private async exchangePhoneCode(code: string, openid: string) {
    try {
      return await this.wechat.getPhoneNumber(code, openid);
    } catch (error) {
      if (error instanceof WechatApiError && error.errcode === 40029) throw new DomainError('PHONE_CODE_INVALID');
      throw error;
    }
  }
}
