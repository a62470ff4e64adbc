import { ACCESS_TOKEN_ENDPOINT } from '../wechat/access-token.provider';
import type { AppConfig } from '@member/config';
import { OutboxStatus } from '@member/shared';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import { sqlDate } from '../database/dialect';
import type { TransactionRunner } from '../database/transaction-runner';
import { WechatApiError, WechatUnavailableError } from '../wechat/wechat.errors';
import { MessageGrant, OutboxMessage } from './message.entities';

/** WeChat did not take the message for a passing reason (busy, daily limit): tried again after the backoff. */
const RETRYABLE_ERRCODES = new Set([-1, 45009]);
/** WeChat's per-period call limit: our second and WeChat's never line up exactly, so a burst can spill over. */
const RATE_LIMITED = 45011;
/** A rate-limited message goes again in the next second, this many times before the ordinary backoff applies. */
const RATE_LIMIT_RETRIES = 30;
/** "No quota": our ledger thought there was a grant; WeChat knows better, so the grant goes to 0. */
const NO_QUOTA = 43101;

export type FailureOutcome = 'failed' | 'retrying';

/**
 * What WeChat's answer does to a claimed row and its grant: successes recorded together, each failure by its
 * own rule (no quota, rate limit, passing errors with backoff, permanent errors, timeouts). Every change moves
 * the row on from `sending` once, so a late second outcome is a no-op. Only the sender uses it, so it is built
 * by the sender rather than provided by the module.
 */
export class OutboxOutcomes {
  constructor(
    private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** The batch's successes in one statement (a crash before it leaves them `sending`: never resent, as they must not be). */
  async recordSent(sent: Array<{ id: number; msgid: string | null }>): Promise<void> {
    if (sent.length === 0) return;
    const now = this.clock.now();
    await this.transactions.run((em) =>
      em.query(
        `UPDATE message_outbox SET status = ?, sent_at = ?, msgid = CASE id ${sent.map(() => 'WHEN ? THEN ?').join(' ')} END
          WHERE id IN (${sent.map(() => '?').join(', ')}) AND status = ?`,
        [OutboxStatus.Sent, sqlDate(em, now), ...sent.flatMap((x) => [x.id, x.msgid]), ...sent.map((x) => x.id), OutboxStatus.Sending],
      ),
    );
  }

  /** One failed send: what WeChat's error means for the row and the grant. Anything not from WeChat is rethrown. */
  async afterError(row: OutboxMessage, error: unknown): Promise<FailureOutcome> {
    const now = this.clock.now();
    // The access_token could not be had (a timeout, a refusal, an answer out of protocol): the message itself
    // never left, so even a timeout here is not "WeChat may have sent it". The grant goes back; it waits and tries again.
    if ((error instanceof WechatApiError || error instanceof WechatUnavailableError) && error.endpoint === ACCESS_TOKEN_ENDPOINT)
      return this.retryOrFail(row, error instanceof WechatApiError ? error.errcode : null, `access_token: ${error.message}`, now);
    if (error instanceof WechatApiError) {
      if (error.errcode === NO_QUOTA) {
        // WeChat has no accept left for this template: ours said otherwise, so ours goes to what WeChat knows.
        await this.transactions.run(async (em) => {
          await em.update(MessageGrant, { memberId: row.memberId, templateId: row.templateId }, { remaining: 0, updatedAt: now });
          await this.finishWithin(em, row, {
            status: OutboxStatus.Failed,
            errcode: error.errcode,
            error: 'no quota at WeChat (43101)',
            grantSpent: false,
          });
        });
        return 'failed';
      }
      if (error.errcode === RATE_LIMITED && row.attempts <= RATE_LIMIT_RETRIES) {
        await this.giveBackAndFinish(row, {
          status: OutboxStatus.Queued,
          errcode: error.errcode,
          error: 'rate limited (45011)',
          dueAt: new Date(now.getTime() + 1000),
        });
        return 'retrying';
      }
      if (RETRYABLE_ERRCODES.has(error.errcode) || error.errcode === RATE_LIMITED)
        return this.retryOrFail(row, error.errcode, `errcode ${error.errcode}`, now);
      // 40003, 40037, 47003, 41030…: this message can never be sent as it is. WeChat used no quota: give it back.
      await this.giveBackAndFinish(row, { status: OutboxStatus.Failed, errcode: error.errcode, error: error.errmsg.slice(0, 200) });
      return 'failed';
    }
    if (error instanceof WechatUnavailableError) {
      if (error.reason === 'timeout') {
        // WeChat may have delivered it and used the grant: at most once means it is not sent again.
        await this.finish(row, { status: OutboxStatus.Failed, error: 'timed out: WeChat may have sent it; not resent' });
        return 'failed';
      }
      return this.retryOrFail(row, null, error.reason, now);
    }
    throw error;
  }

  /** A passing failure: the grant goes back (WeChat used none) and the row waits its backoff, or fails when they ran out. */
  private async retryOrFail(row: OutboxMessage, errcode: number | null, reason: string, now: Date): Promise<FailureOutcome> {
    const backoff = this.config.messages.retryBackoffSeconds;
    if (row.attempts > backoff.length) {
      await this.giveBackAndFinish(row, {
        status: OutboxStatus.Failed,
        errcode,
        error: `gave up after ${row.attempts} attempts: ${reason}`.slice(0, 200),
      });
      return 'failed';
    }
    const dueAt = new Date(now.getTime() + backoff[row.attempts - 1] * 1000);
    await this.giveBackAndFinish(row, { status: OutboxStatus.Queued, errcode, error: reason.slice(0, 200), dueAt });
    return 'retrying';
  }

  private giveBackAndFinish(row: OutboxMessage, changes: Partial<OutboxMessage>): Promise<void> {
    return this.transactions.run(async (em) => {
      const moved = await this.finishWithin(em, row, { ...changes, grantSpent: false });
      if (moved) {
        await em
          .createQueryBuilder()
          .update(MessageGrant)
          .set({ remaining: () => 'remaining + 1', updatedAt: this.clock.now() })
          .where('member_id = :memberId AND template_id = :templateId', { memberId: row.memberId, templateId: row.templateId })
          .execute();
      }
    });
  }

  private finish(row: OutboxMessage, changes: Partial<OutboxMessage>): Promise<boolean> {
    return this.transactions.run((em) => this.finishWithin(em, row, changes));
  }

  /** Moves the row on from `sending`, once: the conditional UPDATE makes a late second outcome a no-op. */
  private async finishWithin(em: EntityManager, row: OutboxMessage, changes: Partial<OutboxMessage>): Promise<boolean> {
    const moved = await em
      .createQueryBuilder()
      .update(OutboxMessage)
      .set(changes)
      .where('id = :id AND status = :sending', { id: row.id, sending: OutboxStatus.Sending })
      .execute();
    return moved.affected === 1;
  }
}
