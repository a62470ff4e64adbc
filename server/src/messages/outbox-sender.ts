import type { AppConfig } from '@member/config';
import { OutboxSkipReason, OutboxStatus } from '@member/shared';
import { Logger } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { forUpdate, forUpdateSkipLocked, sqlDate, sqlDateValue } from '../database/dialect';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { WechatClient } from '../wechat/wechat.client';
import { WechatApiError, WechatUnavailableError } from '../wechat/wechat.errors';
import { MessageGrant, OutboxMessage } from './message.entities';
import { reachOf } from './message-reach';
import { quietUntil } from './quiet-hours';

/** WeChat did not take the message for a passing reason (busy, daily limit): tried again after the backoff. */
const RETRYABLE_ERRCODES = new Set([-1, 45009]);
/** WeChat's per-period call limit: our second and WeChat's never line up exactly, so a burst can spill over. */
const RATE_LIMITED = 45011;
/** A rate-limited message goes again in the next second, this many times before the ordinary backoff applies. */
const RATE_LIMIT_RETRIES = 30;
/** "No quota": our ledger thought there was a grant; WeChat knows better, so the grant goes to 0. */
const NO_QUOTA = 43101;
/** Claims per pass at most, whatever the rate allows (a pass sends them before the next claim). */
const CLAIM_LIMIT = 500;
/** A row still `sending` this long after its claim belongs to a sender that died mid-call: never resent. */
const INTERRUPTED_AFTER_MS = 10 * 60_000;

export interface SendPassSummary {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  retrying: number;
  /** Non-null when the pass did nothing because of quiet hours: when they end. */
  quietUntil: Date | null;
}

type Outcome = 'failed' | 'retrying';

/**
 * Sends what the outbox holds. Each pass: nothing during quiet hours (rows wait, they are not dropped);
 * otherwise claims due rows within the global rate (`FOR UPDATE SKIP LOCKED`, marked `sending` before any
 * WeChat call, so a crash never causes a blind resend), then for each: the member's switch, the frequency
 * cap and one grant spent atomically under the member's row lock, then the WeChat call after commit.
 *
 * Every instance sends (MESSAGE_SENDER_EVERY_SECONDS=0 switches one off): the send window row and SKIP LOCKED
 * share the rate and the rows among them, so no period is claimed.
 */
@ScheduledJob({ name: 'message-sender', every: (config) => config.messages.senderEverySeconds, takeOver: 'every-instance' })
export class OutboxSender implements DeclaredJob<SendPassSummary> {
  private readonly logger = new Logger(OutboxSender.name);
  private running: Promise<SendPassSummary> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly wechat: WechatClient,
  ) {}

  run(): Promise<SendPassSummary> {
    return this.runOnce();
  }

  /** One pass; a pass still running is joined rather than overlapped. */
  runOnce(): Promise<SendPassSummary> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<SendPassSummary> {
    const now = this.clock.now();
    const summary: SendPassSummary = { claimed: 0, sent: 0, skipped: 0, failed: 0, retrying: 0, quietUntil: null };
    await this.markInterrupted(now);
    summary.quietUntil = quietUntil(now, this.config.messages.quietHours, this.config.businessCalendar.timeZone);
    if (summary.quietUntil) return summary;
    // Claims until this second's budget is spent or nothing is due; each batch is sent before the next claim.
    for (;;) {
      const rows = await this.claim(this.clock.now());
      summary.claimed += rows.length;
      await this.sendAll(rows, summary);
      if (rows.length < CLAIM_LIMIT) break;
    }
    if (summary.claimed) this.logger.log(summary, 'message send pass');
    return summary;
  }

  /**
   * One claimed batch: admitted together under the members' row locks (one transaction, a handful of
   * statements for the whole batch), sent with `sendParallelism` calls in flight, and the successes recorded
   * together; failures are handled one by one (they are rare and each has its own rule).
   */
  private async sendAll(rows: OutboxMessage[], summary: SendPassSummary): Promise<void> {
    if (rows.length === 0) return;
    const admitted = await this.transactions.run((em) => this.admit(em, rows, this.clock.now()));
    summary.skipped += rows.length - admitted.length;
    const sent: Array<{ id: number; msgid: string | null }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(this.config.messages.sendParallelism, admitted.length) }, async () => {
        while (next < admitted.length) {
          const { row, openid } = admitted[next++];
          try {
            const answer = await this.wechat.callWithToken<{ msgid?: number | string }>(
              'subscribe_send',
              '/cgi-bin/message/subscribe/send',
              {
                touser: openid,
                template_id: row.templateId,
                page: row.page,
                data: JSON.parse(row.data) as unknown,
                miniprogram_state: this.config.messages.miniprogramState,
                lang: 'zh_CN',
              },
            );
            // Beyond 2^53 it arrives as exact digits (WechatHttp); a smaller one as a number, exact either way.
            sent.push({ id: row.id, msgid: answer.msgid === undefined ? null : String(answer.msgid) });
          } catch (error) {
            const outcome = await this.afterError(row, error).catch((unexpected: unknown) => {
              this.logger.error(
                { err: unexpected, messageId: row.id },
                'sending a message failed unexpectedly; left as sending, never resent',
              );
              return 'failed' as const;
            });
            summary[outcome]++;
          }
        }
      }),
    );
    await this.recordSent(sent);
    summary.sent += sent.length;
  }

  /**
   * The checks that need the members' row locks (a concurrent sender or purchase for the same member waits):
   * the member still there, the kind switched on, the frequency cap, one grant each. Skips are written here;
   * the admitted rows come back with the openid to send to, their grant spent.
   */
  private async admit(em: EntityManager, rows: OutboxMessage[], now: Date): Promise<Array<{ row: OutboxMessage; openid: string }>> {
    const memberIds = [...new Set(rows.map((r) => r.memberId))].sort((a, b) => a - b);
    const marks = memberIds.map(() => '?').join(', ');
    const members = (await em.query(
      `SELECT id, openid, joined_at AS joinedAt FROM member WHERE id IN (${marks})${forUpdate(em)}`,
      memberIds,
    )) as Array<{ id: number | string; openid: string; joinedAt: unknown }>;
    const openidOf = new Map(members.filter((m) => m.joinedAt).map((m) => [Number(m.id), m.openid]));
    const cap = this.config.messages.frequencyCap;
    const since = new Date(now.getTime() - cap.perDays * 86_400_000);
    const recentOf = new Map(
      (
        (await em.query(
          `SELECT member_id AS memberId, COUNT(*) AS n FROM message_outbox WHERE member_id IN (${marks}) AND ((status = ? AND sent_at >= ?) OR (status = ? AND grant_spent = ?)) GROUP BY member_id`,
          [...memberIds, OutboxStatus.Sent, sqlDate(em, since), OutboxStatus.Sending, true],
        )) as Array<{ memberId: number | string; n: number | string }>
      ).map((r) => [Number(r.memberId), Number(r.n)]),
    );
    // Messages' reach rule (message-reach.ts), read per member so a skip can say which half failed.
    const reach = await reachOf(em, memberIds);
    const grantOf = new Map([...reach.grants].map(([key, g]) => [key, { id: g.id, left: g.remaining, spent: 0 }]));

    const skipped = new Map<OutboxSkipReason, number[]>();
    const admitted: Array<{ row: OutboxMessage; openid: string }> = [];
    const skip = (reason: OutboxSkipReason, row: OutboxMessage) => skipped.set(reason, [...(skipped.get(reason) ?? []), row.id]);
    for (const row of rows) {
      const openid = openidOf.get(row.memberId);
      if (!openid) skip(OutboxSkipReason.NoMember, row);
      else if (reach.switchedOff.has(reach.key(row.memberId, row.kind))) skip(OutboxSkipReason.OptedOut, row);
      else if ((recentOf.get(row.memberId) ?? 0) >= cap.maxMessages) skip(OutboxSkipReason.FrequencyCap, row);
      else {
        const grant = grantOf.get(reach.key(row.memberId, row.templateId));
        if (!grant || grant.left - grant.spent <= 0) skip(OutboxSkipReason.NoGrant, row);
        else {
          grant.spent++;
          recentOf.set(row.memberId, (recentOf.get(row.memberId) ?? 0) + 1);
          admitted.push({ row, openid });
        }
      }
    }
    for (const [reason, ids] of skipped) {
      await em
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: OutboxStatus.Skipped, skipReason: reason })
        .where('id IN (:...ids) AND status = :sending', { ids, sending: OutboxStatus.Sending })
        .execute();
    }
    const spent = [...grantOf.values()].filter((g) => g.spent > 0);
    if (spent.length > 0) {
      // Relative and conditional: reports only ever add meanwhile, and other senders wait for our member locks.
      await em.query(
        `UPDATE message_grant SET remaining = remaining - CASE id ${spent.map(() => 'WHEN ? THEN ?').join(' ')} END, updated_at = ? WHERE id IN (${spent.map(() => '?').join(', ')})`,
        [...spent.flatMap((g) => [g.id, g.spent]), sqlDate(em, now), ...spent.map((g) => g.id)],
      );
      await em
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ grantSpent: true })
        .where('id IN (:...ids)', { ids: admitted.map((a) => a.row.id) })
        .execute();
    }
    return admitted;
  }

  /** The batch's successes in one statement (a crash before it leaves them `sending`: never resent, as they must not be). */
  private async recordSent(sent: Array<{ id: number; msgid: string | null }>): Promise<void> {
    if (sent.length === 0) return;
    const now = this.clock.now();
    await this.transactions.run((em) =>
      em.query(
        `UPDATE message_outbox SET status = ?, sent_at = ?, msgid = CASE id ${sent.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${sent.map(() => '?').join(', ')}) AND status = ?`,
        [OutboxStatus.Sent, sqlDate(em, now), ...sent.flatMap((x) => [x.id, x.msgid]), ...sent.map((x) => x.id), OutboxStatus.Sending],
      ),
    );
  }

  /**
   * Takes due rows for this pass. The one-row send window is locked first, so instances take turns for the
   * per-second budget (the rate holds across all of them); SKIP LOCKED keeps rows another transaction holds
   * out of reach.
   */
  private claim(now: Date): Promise<OutboxMessage[]> {
    return this.transactions.run(async (em) => {
      const [window] = (await em.query(
        `SELECT slot_start AS slotStart, used FROM message_send_window WHERE id = 1${forUpdate(em)}`,
      )) as Array<{ slotStart: Date | string; used: number | string }>;
      const slot = Math.floor(now.getTime() / 1000) * 1000;
      const used = window && sqlDateValue(window.slotStart).getTime() === slot ? Number(window.used) : 0;
      const budget = Math.min(this.config.messages.sendRatePerSecond - used, CLAIM_LIMIT);
      if (budget <= 0) return [];
      const due = (await em.query(
        `SELECT id FROM message_outbox WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT ${budget}${forUpdateSkipLocked(em)}`,
        [OutboxStatus.Queued, sqlDate(em, now)],
      )) as Array<{ id: number | string }>;
      if (due.length === 0) return [];
      const ids = due.map((row) => Number(row.id));
      await em
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: OutboxStatus.Sending, claimedAt: now, attempts: () => 'attempts + 1' })
        .where('id IN (:...ids) AND status = :queued', { ids, queued: OutboxStatus.Queued })
        .execute();
      await em.query('UPDATE message_send_window SET slot_start = ?, used = ? WHERE id = 1', [
        sqlDate(em, new Date(slot)),
        used + ids.length,
      ]);
      // Ours: locked by this transaction since the SELECT, so no other sender can have moved them.
      return em.find(OutboxMessage, { where: { id: In(ids), status: OutboxStatus.Sending }, order: { id: 'ASC' } });
    });
  }

  private async afterError(row: OutboxMessage, error: unknown): Promise<Outcome> {
    const now = this.clock.now();
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
  private async retryOrFail(row: OutboxMessage, errcode: number | null, reason: string, now: Date): Promise<Outcome> {
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

  /** Rows left `sending` by a sender that died mid-call: failed, never resent (WeChat may have them). */
  private async markInterrupted(now: Date): Promise<void> {
    const before = new Date(now.getTime() - INTERRUPTED_AFTER_MS);
    await this.transactions.run((em) =>
      em
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: OutboxStatus.Failed, error: 'interrupted while sending: not resent' })
        .where('status = :sending AND claimed_at < :before', { sending: OutboxStatus.Sending, before })
        .execute(),
    );
  }
}
