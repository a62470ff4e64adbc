import type { AppConfig } from '@member/config';
import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { StaffAccount } from './staff.service';
import { checkTillTicket, signTillTicket, tillTicketKey } from './till-ticket';

/** Hands out and checks till tickets (see till-ticket.ts); their lifetime is staffAccess.tillTicketSeconds. */
@Injectable()
export class TillTicketsService {
  private readonly key: Buffer;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.key = tillTicketKey(config.security.memberCodeSecret);
  }

  /** For the member this clerk just identified by their code, at `storeCode` (null: several stores, none named). */
  issue(staff: StaffAccount, memberId: number, storeCode: string | null): { ticket: string; expiresAt: Date } {
    const expiresAt = new Date(this.clock.now().getTime() + this.config.staffAccess.tillTicketSeconds * 1000);
    return { ticket: signTillTicket(this.key, { staffId: staff.id, memberId, storeCode, expiresAt }), expiresAt };
  }

  /**
   * The member the ticket names, when it is genuine, unexpired, this clerk's, and for `storeCode` (the store the
   * action happens at, already checked against the account); TILL_TICKET_INVALID / _EXPIRED / _NOT_YOURS otherwise.
   */
  memberOf(staff: StaffAccount, ticket: string, storeCode: string | null): { memberId: number; storeCode: string | null } {
    const check = checkTillTicket(this.key, ticket, { staffId: staff.id, storeCode, now: this.clock.now() });
    if (!check.ok) throw new DomainError(check.reason, undefined, { staffId: staff.id });
    return { memberId: check.claims.memberId, storeCode: check.claims.storeCode };
  }
}
