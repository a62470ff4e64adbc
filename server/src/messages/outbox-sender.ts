import type { AppConfig } from '@member/config';
import { OutboxSkipReason, OutboxStatus } from '@member/shared';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { forUpdate, sqlDate, sqlDateValue } from '../database/sql';
import { JobRunner } from '../jobs/job-runner';
import { WechatClient } from '../wechat/wechat.client';
import { WechatApiError, WechatUnavailableError } from '../wechat/wechat.errors';
import { MessageGrant, MessagePreference, OutboxMessage } from './message.entities';
import { quietUntil } from './quiet-hours';

/** WeChat did not take the message for a passing reason (busy, daily or per-minute limit): tried again later. */
const RETRYABLE_ERRCODES = new Set([-1, 45009, 45011]);
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

type Outcome = 'sent' | 'skipped' | 'failed' | 'retrying';

/**
 * Sends what the outbox holds. Each pass: nothing during quiet hours (rows wait, they are not dropped);
 * otherwise claims due rows within the global rate (`FOR UPDATE SKIP LOCKED`, marked `sending` before any
 * WeChat call, so a crash never causes a blind resend), then for each: the member's switch, the frequency
 * cap and one grant spent atomically under the member's row lock, then the WeChat call after commit.
 */
@Injectable()
export class OutboxSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSender.name);
  private stop: () => void = () => undefined;
  private running: Promise<SendPassSummary> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly wechat: WechatClient,
    private readonly jobs: JobRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.jobs.repeat(this.config.messages.senderEverySeconds, 'message-sender', () => this.runOnce());
  }

  onApplicationShutdown(): void {
    this.stop();
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

  private async sendAll(rows: OutboxMessage[], summary: SendPassSummary): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(this.config.messages.sendParallelism, rows.length) }, async () => {
        while (next < rows.length) {
          const row = rows[next++];
          const outcome = await this.deliver(row).catch((error: unknown) => {
            this.logger.error({ err: error, messageId: row.id }, 'sending a message failed unexpectedly; left as sending, never resent');
            return 'failed' as const;
          });
          summary[outcome]++;
        }
      }),
    );
  }

  /**
   * Takes due rows for this pass. The one-row send window is locked first, so instances take turns for the
   * per-second budget (the rate holds across all of them); SKIP LOCKED keeps rows another transaction holds
   * out of reach.
   */
  private claim(now: Date): Promise<OutboxMessage[]> {
    return this.transactions.run(async (em) => {
      const [window] = (await em.query(`SELECT slot_start AS slotStart, used FROM message_send_window WHERE id = 1${forUpdate(em)}`)) as Array<{ slotStart: Date | string; used: number | string }>;
      const slot = Math.floor(now.getTime() / 1000) * 1000;
      const used = window && sqlDateValue(window.slotStart).getTime() === slot ? Number(window.used) : 0;
      const budget = Math.min(this.config.messages.sendRatePerSecond - used, CLAIM_LIMIT);
      if (budget <= 0) return [];
      const skipLocked = em.connection.options.type === 'mysql' ? ' FOR UPDATE SKIP LOCKED' : '';
      const due = (await em.query(`SELECT id FROM message_outbox WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT ${budget}${skipLocked}`, [OutboxStatus.Queued, sqlDate(em, now)])) as Array<{ id: number | string }>;
      if (due.length === 0) return [];
      const ids = due.map((row) => Number(row.id));
      await em
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ status: OutboxStatus.Sending, claimedAt: now, attempts: () => 'attempts + 1' })
        .where('id IN (:...ids) AND status = :queued', { ids, queued: OutboxStatus.Queued })
        .execute();
      await em.query('UPDATE message_send_window SET slot_start = ?, used = ? WHERE id = 1', [sqlDate(em, new Date(slot)), used + ids.length]);
      // Ours: locked by this transaction since the SELECT, so no other sender can have moved them.
      return em.find(OutboxMessage, { where: { id: In(ids), status: OutboxStatus.Sending }, order: { id: 'ASC' } });
    });
  }

  private async deliver(row: OutboxMessage): Promise<Outcome> {
    const now = this.clock.now();
    const verdict = await this.transactions.run(async (em) => this.admit(em, row, now));
    if (verdict.skip) {
      await this.finish(row, { status: OutboxStatus.Skipped, skipReason: verdict.skip });
      return 'skipped';
    }
    try {
      const answer = await this.wechat.callWithToken<{ msgid?: number | string }>('subscribe_send', '/cgi-bin/message/subscribe/send', {
        touser: verdict.openid,
        template_id: row.templateId,
        page: row.page,
        data: JSON.parse(row.data) as unknown,
        miniprogram_state: this.config.messages.miniprogramState,
        lang: 'zh_CN',
      });
      await this.finish(row, { status: OutboxStatus.Sent, sentAt: this.clock.now(), msgid: answer.msgid === undefined ? null : String(answer.msgid) });
      return 'sent';
    } catch (error) {
      return this.afterError(row, error);
    }
  }

  /** The checks that need the member's row lock: a concurrent sender for the same member waits here. */
  private async admit(em: EntityManager, row: OutboxMessage, now: Date): Promise<{ skip: OutboxSkipReason; openid?: undefined } | { skip: null; openid: string }> {
    const [member] = (await em.query(`SELECT openid, joined_at AS joinedAt FROM member WHERE id = ?${forUpdate(em)}`, [row.memberId])) as Array<{ openid: string; joinedAt: unknown }>;
    if (!member?.joinedAt) return { skip: OutboxSkipReason.NoMember };
    const preference = await em.findOneBy(MessagePreference, { memberId: row.memberId, kind: row.kind });
    if (preference && !preference.enabled) return { skip: OutboxSkipReason.OptedOut };
    const cap = this.config.messages.frequencyCap;
    const since = new Date(now.getTime() - cap.perDays * 86_400_000);
    const [recent] = (await em.query(
      'SELECT COUNT(*) AS n FROM message_outbox WHERE member_id = ? AND id <> ? AND ((status = ? AND sent_at >= ?) OR (status = ? AND grant_spent = ?))',
      [row.memberId, row.id, OutboxStatus.Sent, sqlDate(em, since), OutboxStatus.Sending, true],
    )) as Array<{ n: number | string }>;
    if (Number(recent.n) >= cap.maxMessages) return { skip: OutboxSkipReason.FrequencyCap };
    const spent = await em
      .createQueryBuilder()
      .update(MessageGrant)
      .set({ remaining: () => 'remaining - 1', updatedAt: now })
      .where('member_id = :memberId AND template_id = :templateId AND remaining > 0', { memberId: row.memberId, templateId: row.templateId })
      .execute();
    if (spent.affected !== 1) return { skip: OutboxSkipReason.NoGrant };
    await em.update(OutboxMessage, { id: row.id }, { grantSpent: true });
    return { skip: null, openid: member.openid };
  }

  private async afterError(row: OutboxMessage, error: unknown): Promise<Outcome> {
    const now = this.clock.now();
    if (error instanceof WechatApiError) {
      if (error.errcode === NO_QUOTA) {
        // WeChat has no accept left for this template: ours said otherwise, so ours goes to what WeChat knows.
        await this.transactions.run(async (em) => {
          await em.update(MessageGrant, { memberId: row.memberId, templateId: row.templateId }, { remaining: 0, updatedAt: now });
          await this.finishWithin(em, row, { status: OutboxStatus.Failed, errcode: error.errcode, error: 'no quota at WeChat (43101)', grantSpent: false });
        });
        return 'failed';
      }
      if (RETRYABLE_ERRCODES.has(error.errcode)) return this.retryOrFail(row, error.errcode, `errcode ${error.errcode}`, now);
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
      await this.giveBackAndFinish(row, { status: OutboxStatus.Failed, errcode, error: `gave up after ${row.attempts} attempts: ${reason}`.slice(0, 200) });
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
