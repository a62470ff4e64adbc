import type { AppConfig } from '@member/config';
import { type CalendarDate, CouponStatus, MessageKind } from '@member/shared';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { addBusinessDays, businessDate, Clock } from '../common/clock';
import { sqlDate, sqlDateValue } from '../database/sql';
import { TransactionRunner } from '../database/transaction-runner';
import { JobRunner } from '../jobs/job-runner';
import { countSystemRun, finishSystemRun, startSystemRun, SystemCampaign } from '../campaigns/system-campaigns';
import { reachCondition, reachJoin } from './message-reach';
import { MessagesService } from './messages.service';

const CHUNK = 500;
/** The job looks every quarter hour whether today's run is due (after runAtLocalTime, once per day). */
const TICK_SECONDS = 900;

/**
 * The recurring coupon-expiry reminder: once a day, members who accepted the reminder and hold an unused
 * coupon whose last day is `daysBefore` days away get one message per coupon (the outbox's dedupe key
 * `coupon-expiring:<coupon id>` makes reruns and a second instance harmless).
 */
@Injectable()
export class CouponReminderJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CouponReminderJob.name);
  private stop: () => void = () => undefined;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    private readonly messages: MessagesService,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.jobs.repeat(TICK_SECONDS, 'coupon-reminder', () => this.runScheduled());
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  async runScheduled(): Promise<string | null> {
    const now = this.clock.now();
    const local = DateTime.fromJSDate(now, { zone: this.config.businessCalendar.timeZone });
    if (local.toFormat('HH:mm') < this.config.messages.couponExpiringReminder.runAtLocalTime) return null;
    return this.jobs.runOnce('coupon-reminder', local.toISODate() as string, async () => `queued ${await this.remind(now)} reminders`);
  }

  /** Queues the reminders for coupons ending on the business day `daysBefore` after `now`'s; answers how many were new. */
  async remind(now: Date): Promise<number> {
    const timeZone = this.config.businessCalendar.timeZone;
    const from = addBusinessDays(now, this.config.messages.couponExpiringReminder.daysBefore, timeZone);
    const to = addBusinessDays(from, 1, timeZone);
    const templateId = this.config.messages.templates[MessageKind.CouponExpiring].templateId;
    let afterId = 0;
    let queued = 0;
    // Staff see each day's reminders as the run of the reminder's system campaign.
    const runId = await startSystemRun(this.dataSource.manager, SystemCampaign.CouponReminder, businessDate(now, timeZone), now);
    for (;;) {
      const rows: Array<{ id: number | string; memberId: number | string; validUntil: Date | string; name: string }> = await this.dataSource.query(
        `SELECT c.id, c.member_id AS memberId, c.valid_until AS validUntil, t.name
           FROM coupon c
           ${reachJoin('c.member_id')}
           JOIN coupon_template t ON t.id = c.template_id
          WHERE c.status = ? AND c.valid_until >= ? AND c.valid_until < ? AND c.id > ? AND ${reachCondition('c.member_id')}
          ORDER BY c.id LIMIT ${CHUNK}`,
        [templateId, CouponStatus.Available, sqlDate(this.dataSource.manager, from), sqlDate(this.dataSource.manager, to), afterId, MessageKind.CouponExpiring],
      );
      if (rows.length === 0) break;
      queued += await this.transactions.run(async (em) => {
        let queuedHere = 0;
        for (const row of rows) {
          const outcome = await this.messages.queue(em, {
            memberId: Number(row.memberId),
            kind: MessageKind.CouponExpiring,
            vars: { couponName: row.name, expiresOn: businessDate(sqlDateValue(row.validUntil), timeZone) as CalendarDate },
            dedupeKey: `coupon-expiring:${row.id}`,
          });
          if (outcome === 'queued') queuedHere++;
        }
        await countSystemRun(em, runId, { targeted: rows.length, messagesQueued: queuedHere });
        return queuedHere;
      });
      afterId = Number(rows[rows.length - 1].id);
      if (rows.length < CHUNK) break;
    }
    await finishSystemRun(this.dataSource.manager, runId, this.clock.now());
    if (queued) this.logger.log({ queued }, 'coupon-expiry reminders queued');
    return queued;
  }
}
