import { AccountStatus, type DeleteAccountResponse } from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { execute, forUpdate, sqlDate, sqlDateValue } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainEvents } from '../events/domain-event-bus';
import { MemberDeleted } from '../events/domain-events';
import { ordersRepository } from '../orders/orders.repository';

/** The openid a deleted member's row keeps: unique (the column is), and no WeChat user's, so a return is a new member. */
export function deletedOpenid(memberId: number): string {
  return `deleted:${memberId}`;
}

/**
 * 注销: the member deletes their account. The row is kept and anonymised rather than removed, because the
 * ledgers the law and the books need (sales, pay orders, points, coupons, redemptions) point at it; everything
 * that says who the person was goes: phone (cipher, hash, mask), WeChat identity (openid, unionid), nickname,
 * avatar (the row's URL and the stored picture), birthday. `joined_at` is cleared too, so every "joined members
 * only" path (claims, messages, audiences, the membership review, the birthday job) passes them by.
 *
 * It cannot be undone: the WeChat user who opens the app again logs in with an openid no row has, so they are a
 * new visitor; every session issued before is refused (SessionRevocations reads account_status on each request).
 */
@Injectable()
export class AccountDeletionService {
  private readonly logger = new Logger(AccountDeletionService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
  ) {}

  /**
   * Deletes the account. A repeat (a retried request whose answer was lost, racing its original) answers the
   * same deletion and changes nothing. Refused with ACCOUNT_HAS_OPEN_ORDER while an unpaid app order holds the
   * member's coupon and points: paying or cancelling it settles the books first.
   */
  async deleteAccount(memberId: number): Promise<DeleteAccountResponse> {
    const now = this.clock.now();
    const deletedAt = await this.transactions.run(async (em) => {
      // The row lock orders this against a profile edit, a join or an avatar upload of the same member: whichever
      // comes second sees the other's result (their updates are conditional on account_status = 'active').
      const [row]: Array<{ status: AccountStatus; deletedAt: Date | string | null }> = await em.query(
        `SELECT account_status AS status, deleted_at AS deletedAt FROM member WHERE id = ?${forUpdate(em)}`,
        [memberId],
      );
      if (!row) throw new DomainError('MEMBER_NOT_FOUND');
      if (row.status === AccountStatus.Deleted) return sqlDateValue(row.deletedAt!);
      if (await ordersRepository.hasUnpaidOrder(em, memberId)) throw new DomainError('ACCOUNT_HAS_OPEN_ORDER');
      await this.anonymise(em, memberId, now);
      await this.events.publish(em, new MemberDeleted(memberId, now));
      await this.audit.recordMemberAction(em, memberId, 'account.delete');
      return now;
    });
    this.logger.log({ memberId }, 'member deleted their account');
    return { deleted: true, deletedAt: deletedAt.toISOString() };
  }

  private async anonymise(em: EntityManager, memberId: number, now: Date): Promise<void> {
    const changed = await execute(
      em,
      `UPDATE member SET openid = ?, unionid = NULL, nickname = NULL, avatar_url = NULL,
              phone_cipher = NULL, phone_hash = NULL, phone_masked = NULL, phone_last4 = NULL,
              birthday = NULL, birthday_month = NULL, birthday_day = NULL, birthday_set_on = NULL,
              double_points_until = NULL, joined_at = NULL,
              account_status = ?, deleted_at = ?, version = version + 1
        WHERE id = ? AND account_status = ?`,
      [deletedOpenid(memberId), AccountStatus.Deleted, sqlDate(em, now), memberId, AccountStatus.Active],
    );
    if (changed !== 1) throw new Error(`member ${memberId} changed under its row lock`);
    await em.query('DELETE FROM member_avatar WHERE member_id = ?', [memberId]);
  }
}
