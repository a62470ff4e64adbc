import type { AppConfig } from '@member/config';
import { DateTime } from 'luxon';
import { InjectConfig } from '../common/app-config';
import { ScheduledJob, type DeclaredJob } from '../jobs/job.decorator';
import { MetricsSnapshotService, type DaySnapshot } from './metrics-snapshot.service';

/**
 * The schedule: every `metrics.snapshotEverySeconds` one instance (the job framework's claim on the period)
 * rewrites yesterday's snapshot (late refunds, the expiry sweep and yesterday's last hours land in it) and
 * today's so far. Past days beyond that are written by a backfill (POST /api/staff/metrics/backfill).
 */
@ScheduledJob({ name: 'metrics-snapshot', every: (config) => config.metrics.snapshotEverySeconds, timerInTestMode: false })
export class MetricsSnapshotJob implements DeclaredJob<DaySnapshot[]> {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly snapshots: MetricsSnapshotService,
  ) {}

  async run(now: Date): Promise<DaySnapshot[]> {
    const today = this.snapshots.dayOf(now);
    const yesterday = DateTime.fromISO(today, { zone: this.config.businessCalendar.timeZone }).minus({ days: 1 }).toISODate()!;
    return [await this.snapshots.snapshotDay(yesterday), await this.snapshots.snapshotDay(today)];
  }

  outcome(result: DaySnapshot[]): string {
    return result.map((r) => `${r.day} ${r.tookMs} ms`).join(', ');
  }
}
