import type { AppConfig } from '@member/config';
import { Injectable, Logger } from '@nestjs/common';
import { MemberAccessService } from './member-access.service';
import type { StaffAccount } from './staff.service';
import { AuditService } from '../audit/audit.service';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { DbThrottlerStorage } from '../throttle/db-throttler.storage';
import { checkMemberCode, claimedMemberId } from '../members/member-code';

/**
 * Stops member-code guessing. The MAC is 8 digits, so one guess wins 1 in 10^8 — but a clerk could try ~1,000 a
 * second. Wrong codes are counted per staff account and per member (the member the code claims, so guessing
 * one member from many accounts still locks), in the shared throttle table, so all instances agree; past the
 * limit, verification is locked (MEMBER_CODE_LOCKED, 429) for that account or that member, and the lock is
 * audited. With the defaults (10 per account per 10 min, 20 per member per hour) a forger's odds are ~5e-6 per
 * member per day. A code that verifies grants the clerk access to that member (MemberAccessService).
 * Only a wrong MAC counts: an expired genuine code is a slow customer, not a guess.
 */
@Injectable()
export class MemberCodeGate {
  private readonly logger = new Logger(MemberCodeGate.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly counters: DbThrottlerStorage,
    private readonly access: MemberAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `use` (which checks the code and throws MEMBER_CODE_INVALID on a wrong one) unless the account or the
   * member is locked; counts a wrong code; grants access to the member `use` answers, if the code is that
   * member's now. `use` may answer without judging the code: a resent sale answers the first one whatever code it
   * carries (codes change every minute, a retry may come after), and a made-up code on an old sale's key must not
   * reopen a member the clerk served long ago.
   */
  async check<T>(staff: StaffAccount, code: string, use: () => Promise<T>, memberOf: (result: T) => number): Promise<T> {
    const memberId = claimedMemberId(this.config.memberCode, code);
    const keys = this.keys(staff, memberId);
    for (const key of keys) {
      if ((await this.counters.peek(key.key))?.isBlocked)
        throw new DomainError('MEMBER_CODE_LOCKED', undefined, { staffId: staff.id, memberId });
    }
    let result: T;
    try {
      result = await use();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'MEMBER_CODE_INVALID') await this.countFailure(staff, memberId, keys);
      throw error;
    }
    const served = memberOf(result);
    const settings = { secret: this.config.security.memberCodeSecret, ...this.config.memberCode };
    const current = checkMemberCode(settings, code, this.clock.now());
    if (current.ok && current.memberId === served) await this.access.grant(staff, served);
    return result;
  }

  private keys(staff: StaffAccount, memberId: number | null) {
    const { perStaff, perMember } = this.config.staffAccess.memberCodeFailures;
    return [
      { key: `member-code:staff:${staff.id}`, limit: perStaff, scope: 'staff' },
      ...(memberId === null ? [] : [{ key: `member-code:member:${memberId}`, limit: perMember, scope: 'member' }]),
    ];
  }

  private async countFailure(staff: StaffAccount, memberId: number | null, keys: ReturnType<MemberCodeGate['keys']>): Promise<void> {
    for (const { key, limit, scope } of keys) {
      const record = await this.counters.increment(key, limit.windowSeconds * 1000, limit.limit, limit.lockSeconds * 1000);
      if (record.isBlocked && record.totalHits === limit.limit + 1) {
        this.logger.warn({ staffId: staff.id, memberId, scope }, 'member code verification locked after repeated wrong codes');
        await this.audit.record(staff, {
          action: 'member_code.locked',
          outcome: 'MEMBER_CODE_LOCKED',
          target: scope,
          memberId,
          storeCode: staff.stores.length === 1 ? staff.stores[0] : null,
        });
      }
    }
  }
}
