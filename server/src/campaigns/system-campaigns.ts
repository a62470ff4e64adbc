import { CampaignRunStatus } from '@member/shared';
import type { EntityManager } from 'typeorm';
import { sqlDate } from '../database/sql';
import { isUniqueViolation } from '../database/transaction-runner';

/** The campaigns the system runs itself (seeded by migration 1763900000017), by their `campaign.system_key`. */
export const SystemCampaign = { BirthdayPerk: 'birthday-perk', CouponReminder: 'coupon-reminder' } as const;
export type SystemCampaign = (typeof SystemCampaign)[keyof typeof SystemCampaign];

/** What one chunk of a system campaign's run gave; added to the run's counters in the chunk's own transaction. */
export interface SystemRunCounts {
  targeted?: number;
  couponsIssued?: number;
  couponsShort?: number;
  pointsGranted?: number;
  messagesQueued?: number;
}

/**
 * The run of a system campaign for one business day, as staff see it in the campaign list: created once (the
 * unique campaign × period key, whoever asks first), counted chunk by chunk inside each chunk's transaction (so
 * the counters match what committed, across reruns, crashes and instances), marked done when a pass ends.
 * Plain SQL on the caller's `em`, so jobs in any module can report without a module import cycle.
 * Answers null where the system campaign is not there (a database rolled back below the migration).
 */
export async function startSystemRun(em: EntityManager, key: SystemCampaign, period: string, asOf: Date): Promise<number | null> {
  const [campaign]: Array<{ id: number | string }> = await em.query('SELECT id FROM campaign WHERE system_key = ?', [key]);
  if (!campaign) return null;
  const find = async () =>
    Number(
      (
        (await em.query('SELECT id FROM campaign_run WHERE campaign_id = ? AND period = ?', [campaign.id, period])) as Array<{
          id: number | string;
        }>
      )[0]?.id ?? 0,
    ) || null;
  const existing = await find();
  if (existing) return existing;
  try {
    const at = sqlDate(em, asOf);
    await em.query(
      `INSERT INTO campaign_run (campaign_id, period, status, as_of, next_member_id, last_member_id, targeted, held_out, coupons_issued, coupons_short, points_granted, messages_queued, messages_no_grant, started_at)
       VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?)`,
      [campaign.id, period, CampaignRunStatus.Issuing, at, at],
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return find();
}

export async function countSystemRun(em: EntityManager, runId: number | null, counts: SystemRunCounts): Promise<void> {
  if (runId === null) return;
  await em.query(
    `UPDATE campaign_run SET targeted = targeted + ?, coupons_issued = coupons_issued + ?, coupons_short = coupons_short + ?, points_granted = points_granted + ?, messages_queued = messages_queued + ? WHERE id = ?`,
    [
      counts.targeted ?? 0,
      counts.couponsIssued ?? 0,
      counts.couponsShort ?? 0,
      counts.pointsGranted ?? 0,
      counts.messagesQueued ?? 0,
      runId,
    ],
  );
}

export async function finishSystemRun(em: EntityManager, runId: number | null, at: Date): Promise<void> {
  if (runId === null) return;
  await em.query('UPDATE campaign_run SET status = ?, finished_at = ? WHERE id = ? AND status = ?', [
    CampaignRunStatus.Done,
    sqlDate(em, at),
    runId,
    CampaignRunStatus.Issuing,
  ]);
}
