// Plain strings, no entities: the audience benchmark prints the reach count's EXPLAIN, and benchmark scripts run
// under tsx, which cannot load decorated entity modules (README.md, "Toolchain notes").
import type { EntityManager } from 'typeorm';
import type { MemberIdsSql } from '../members/members.repository';

/**
 * Who a subscription message can still reach: the one definition, used by every module that asks.
 *
 * A member is reachable by a message of `kind` (WeChat template `templateId`) when they hold a grant with an
 * accept left for the template (message_grant.remaining > 0: WeChat allows one send per accept) and have not
 * switched the kind off (message_preference.enabled = false). The sender checks the same two things again, under
 * the member's lock, when it spends the grant (`reachOf`); everything before it (audience reach counts, campaign
 * and birthday admission, the expiry reminder, messages queued only when reachable) asks with `reachJoin` +
 * `reachCondition`, so nobody counts or queues by a different rule.
 */
export interface MessageAddress {
  /** The WeChat template id the message is sent with (config.messages.templates[kind].templateId). */
  templateId: string;
  kind: string;
}

/** The index the grants are read through: (template, member_id, remaining). See reachJoin. */
export const GRANT_REACH_INDEX = 'idx_message_grant_reach';

/**
 * `JOIN message_grant g ON …` for the member id column `memberId`; one parameter: the template id.
 *
 * `indexHints` (MySQL/MariaDB) pins the grants to idx_message_grant_reach: one template's grants in member id
 * order with `remaining` at hand, so the look-ups into an audience's id-led indexes go in order too.
 */
export function reachJoin(memberId: string, options: { indexHints?: boolean } = {}): string {
  const grants = `message_grant g${options.indexHints ? ` FORCE INDEX (${GRANT_REACH_INDEX})` : ''}`;
  return `JOIN ${grants} ON g.member_id = ${memberId} AND g.template_id = ? AND g.remaining > 0`;
}

/**
 * The switch, as a WHERE condition on `memberId`; one parameter: the kind. A NOT IN, which MariaDB answers by
 * reading the few switched-off rows once into a hashed temporary table and probing it (0.4 s instead of 0.6 s
 * on the audience benchmark's million members, against a primary-key look-up per grant); a NULL member_id
 * cannot occur, so NOT IN means what it says.
 */
export function reachCondition(memberId: string): string {
  return `${memberId} NOT IN (SELECT pref.member_id FROM message_preference pref WHERE pref.kind = ? AND NOT pref.enabled)`;
}

/**
 * Of `memberIds`, those a message can reach now, with what a message shows of them (id, nickname). Members
 * are asked in batches of `batchSize` ids (an IN list each).
 */
export async function reachableMembers(
  em: Pick<EntityManager, 'query'>,
  address: MessageAddress,
  memberIds: number[],
  batchSize = 500,
): Promise<Array<{ id: number; nickname: string | null }>> {
  const reachable: Array<{ id: number; nickname: string | null }> = [];
  for (let i = 0; i < memberIds.length; i += batchSize) {
    const batch = memberIds.slice(i, i + batchSize);
    const rows: Array<{ id: number | string; nickname: string | null }> = await em.query(
      `SELECT m.id, m.nickname FROM member m ${reachJoin('m.id')}
        WHERE m.id IN (${batch.map(() => '?').join(', ')}) AND ${reachCondition('m.id')}`,
      [address.templateId, ...batch, address.kind],
    );
    reachable.push(...rows.map((row) => ({ id: Number(row.id), nickname: row.nickname })));
  }
  return reachable;
}

/**
 * Of the members `selection` chooses, those a message can reach now, with what a message shows of them (id,
 * nickname): one statement, whatever their number (a campaign chunk's treated members).
 */
export async function reachableAmong(
  em: Pick<EntityManager, 'query'>,
  address: MessageAddress,
  selection: MemberIdsSql,
): Promise<Array<{ id: number; nickname: string | null }>> {
  const rows: Array<{ id: number | string; nickname: string | null }> = await em.query(
    `SELECT m.id, m.nickname FROM ${selection.from} JOIN member m ON m.id = ${selection.memberId} ${reachJoin('m.id')}
      WHERE (${selection.where}) AND ${reachCondition('m.id')}`,
    [address.templateId, ...selection.params, address.kind],
  );
  return rows.map((row) => ({ id: Number(row.id), nickname: row.nickname }));
}

/**
 * The sender's view of the same rule for a batch of members it holds locked: each (member, template) grant with
 * what is left of it, and each (member, kind) switched off, so it can tell "no grant" from "switched off" and
 * spend the grants it uses.
 */
export async function reachOf(
  em: Pick<EntityManager, 'query'>,
  memberIds: number[],
): Promise<{
  grants: Map<string, { id: number; remaining: number }>;
  switchedOff: Set<string>;
  key: (memberId: number, templateOrKind: string) => string;
}> {
  const key = (memberId: number, templateOrKind: string) => `${memberId} ${templateOrKind}`;
  const marks = memberIds.map(() => '?').join(', ');
  const grants: Array<{ id: number | string; memberId: number | string; templateId: string; remaining: number | string }> = await em.query(
    `SELECT id, member_id AS memberId, template_id AS templateId, remaining FROM message_grant WHERE member_id IN (${marks})`,
    memberIds,
  );
  const off: Array<{ memberId: number | string; kind: string }> = await em.query(
    `SELECT member_id AS memberId, kind FROM message_preference WHERE member_id IN (${marks}) AND enabled = ?`,
    [...memberIds, false],
  );
  return {
    grants: new Map(grants.map((g) => [key(Number(g.memberId), g.templateId), { id: Number(g.id), remaining: Number(g.remaining) }])),
    switchedOff: new Set(off.map((p) => key(Number(p.memberId), p.kind))),
    key,
  };
}
