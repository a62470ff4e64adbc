import type { AppConfig } from '@member/config';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { RuntimeSettings } from '../settings/runtime-settings.service';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { WechatClient } from '../wechat/wechat.client';
import type { OutboxMessage } from './message.entities';
import { admitBatch } from './outbox-admission';
import { CLAIM_LIMIT, claimDue, markInterrupted } from './outbox-claim';
import { OutboxOutcomes } from './outbox-outcomes';
import { quietUntil } from './quiet-hours';

export interface SendPassSummary {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  retrying: number;
  /** Non-null when the pass did nothing because of quiet hours: when they end. */
  quietUntil: Date | null;
}

/**
 * Sends what the outbox holds. Each pass: nothing during quiet hours (rows wait, they are not dropped);
 * otherwise claims due rows within the global rate (`FOR UPDATE SKIP LOCKED`, marked `sending` before any
 * WeChat call, so a crash never causes a blind resend), then for each: the member's switch, the frequency
 * cap and one grant spent atomically under the member's row lock, then the WeChat call after commit.
 *
 * The job and the WeChat calls are here; claiming is outbox-claim.ts, the checks under the member locks
 * outbox-admission.ts, and what WeChat's answer does to a row and its grant outbox-outcomes.ts.
 *
 * Every instance sends (MESSAGE_SENDER_EVERY_SECONDS=0 switches one off): the send window row and SKIP LOCKED
 * share the rate and the rows among them, so no period is claimed.
 */
@ScheduledJob({ name: 'message-sender', every: (config) => config.messages.senderEverySeconds, takeOver: 'every-instance' })
export class OutboxSender implements DeclaredJob<SendPassSummary> {
  private readonly logger = new Logger(OutboxSender.name);
  private running: Promise<SendPassSummary> | null = null;
  private readonly outcomes: OutboxOutcomes;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly wechat: WechatClient,
    private readonly settings: RuntimeSettings,
  ) {
    this.outcomes = new OutboxOutcomes(config, transactions, clock);
  }

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
    await this.transactions.run((em) => markInterrupted(em, now));
    // Quiet hours and the frequency cap are runtime settings (设置), read once per pass.
    summary.quietUntil = quietUntil(now, await this.settings.get('messages.quietHours'), this.config.businessCalendar.timeZone);
    if (summary.quietUntil) return summary;
    // Claims until this second's budget is spent or nothing is due; each batch is sent before the next claim.
    for (;;) {
      const claimedAt = this.clock.now();
      const rows = await this.transactions.run((em) => claimDue(em, claimedAt, this.config.messages.sendRatePerSecond));
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
    const cap = await this.settings.get('messages.frequencyCap');
    const admitted = await this.transactions.run((em) => admitBatch(em, rows, this.clock.now(), cap));
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
            const outcome = await this.outcomes.afterError(row, error).catch((unexpected: unknown) => {
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
    await this.outcomes.recordSent(sent);
    summary.sent += sent.length;
  }
}
