import type { AppConfig } from '@member/config';
import { OutboxSkipReason, OutboxStatus } from '@member/shared';
import type { EntityManager } from 'typeorm';
import { forUpdate, sqlDate } from '../database/dialect';
import { OutboxMessage } from './message.entities';
import { reachOf } from './message-reach';

/** A claimed row that passed every check, with the openid to send it to; its grant is already spent. */
export interface AdmittedMessage {
  row: OutboxMessage;
  openid: string;
}

/**
 * The checks that need the members' row locks (a concurrent sender or purchase for the same member waits):
 * the member still there, the kind switched on, the frequency cap, one grant each. Skips are written here;
 * the admitted rows come back with the openid to send to, their grant spent. One transaction, a handful of
 * statements for the whole batch.
 */
export async function admitBatch(
  em: EntityManager,
  rows: OutboxMessage[],
  now: Date,
  cap: AppConfig['messages']['frequencyCap'],
): Promise<AdmittedMessage[]> {
  const memberIds = [...new Set(rows.map((r) => r.memberId))].sort((a, b) => a - b);
  const marks = memberIds.map(() => '?').join(', ');
  const members = (await em.query(
    `SELECT id, openid, joined_at AS joinedAt FROM member WHERE id IN (${marks})${forUpdate(em)}`,
    memberIds,
  )) as Array<{ id: number | string; openid: string; joinedAt: unknown }>;
  const openidOf = new Map(members.filter((m) => m.joinedAt).map((m) => [Number(m.id), m.openid]));
  const since = new Date(now.getTime() - cap.perDays * 86_400_000);
  const recentOf = new Map(
    (
      (await em.query(
        `SELECT member_id AS memberId, COUNT(*) AS n FROM message_outbox
          WHERE member_id IN (${marks}) AND ((status = ? AND sent_at >= ?) OR (status = ? AND grant_spent = ?)) GROUP BY member_id`,
        [...memberIds, OutboxStatus.Sent, sqlDate(em, since), OutboxStatus.Sending, true],
      )) as Array<{ memberId: number | string; n: number | string }>
    ).map((r) => [Number(r.memberId), Number(r.n)]),
  );
  // Messages' reach rule (message-reach.ts), read per member so a skip can say which half failed.
  const reach = await reachOf(em, memberIds);
  const grantOf = new Map([...reach.grants].map(([key, g]) => [key, { id: g.id, left: g.remaining, spent: 0 }]));

  const skipped = new Map<OutboxSkipReason, number[]>();
  const admitted: AdmittedMessage[] = [];
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
      `UPDATE message_grant SET remaining = remaining - CASE id ${spent.map(() => 'WHEN ? THEN ?').join(' ')} END, updated_at = ?
        WHERE id IN (${spent.map(() => '?').join(', ')})`,
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
