import { AccountStatus, type LifecycleStatus, type TierCode } from '@member/shared';
import { And, In, IsNull, LessThan, MoreThan, MoreThanOrEqual, Not, type EntityManager } from 'typeorm';
import { execute, forUpdate, rowsPerStatement, sqlDate, sqlDateValue } from '../database/dialect';
import { Member } from './member.entity';

/** Ids per IN list: SQLite builds may stop at 999 placeholders a statement. */
const IDS_PER_STATEMENT = 500;

/**
 * Members chosen by SQL: `SELECT ${memberId} FROM ${from} WHERE ${where}`, with `params` for `where` (`from`
 * takes none). A campaign chunk hands its treated members to set-based statements this way, read from the run's
 * campaign_member rows, so their ids need not travel through Node.
 */
export interface MemberIdsSql {
  memberId: string;
  from: string;
  where: string;
  params: unknown[];
}

/** What other modules may read of a member: the entity's fields, never the entity class (members owns the table). */
export type MemberRecord = Readonly<Member>;

/**
 * The member row's SQL, on the caller's `em` (design.md: a module alone writes its tables). Other modules own
 * rules about some columns (points the balance, membership the tier and lifecycle, birthday the double-points
 * window, orders the last purchase) and change them only through these calls, so every write to `member` is
 * here, and a write that must not race (the balance) carries its guard in SQL.
 *
 * Writes are plain SQL, not entity saves: they leave `version` alone, because it guards the member's own
 * profile edits, not the columns other modules keep.
 */
export const membersRepository = {
  find(em: EntityManager, memberId: number): Promise<MemberRecord | null> {
    return em.findOneBy(Member, { id: memberId });
  },

  async findMany(em: EntityManager, memberIds: readonly number[]): Promise<Map<number, MemberRecord>> {
    const found = new Map<number, MemberRecord>();
    const unique = [...new Set(memberIds)];
    for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
      for (const member of await em.findBy(Member, { id: In(unique.slice(i, i + IDS_PER_STATEMENT)) })) found.set(member.id, member);
    }
    return found;
  },

  /**
   * Which of these members have deleted their account (注销): the session guard asks on every request, for the
   * requests of one moment in one statement, so a token issued before the deletion is refused on every instance.
   */
  async deletedAmong(em: EntityManager, memberIds: readonly number[]): Promise<Set<number>> {
    const deleted = new Set<number>();
    const unique = [...new Set(memberIds)];
    for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
      const batch = unique.slice(i, i + IDS_PER_STATEMENT);
      const rows: Array<{ id: number | string }> = await em.query(
        `SELECT id FROM member WHERE id IN (${batch.map(() => '?').join(', ')}) AND account_status = ?`,
        [...batch, AccountStatus.Deleted],
      );
      for (const row of rows) deleted.add(Number(row.id));
    }
    return deleted;
  },

  /**
   * What the claim rules read of each member (joined since when, and the tier), for a batch of claimers in one
   * statement per 500 ids: a write-combined claim flush judges hundreds of members at once. Members not found
   * are absent from the map.
   */
  async claimProfiles(em: EntityManager, memberIds: readonly number[]): Promise<Map<number, Pick<MemberRecord, 'joinedAt' | 'tier'>>> {
    const found = new Map<number, Pick<MemberRecord, 'joinedAt' | 'tier'>>();
    const unique = [...new Set(memberIds)];
    for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
      const batch = unique.slice(i, i + IDS_PER_STATEMENT);
      const rows: Array<{ id: number | string; joinedAt: Date | string | null; tier: TierCode }> = await em.query(
        `SELECT id, joined_at AS joinedAt, tier FROM member WHERE id IN (${batch.map(() => '?').join(', ')})`,
        batch,
      );
      for (const row of rows) found.set(Number(row.id), { joinedAt: sqlDateValue(row.joinedAt), tier: row.tier });
    }
    return found;
  },

  /**
   * Joined members after `afterId`, in id order, `limit` of them: the periodic membership review walks them in
   * chunks. Only the columns the review decides on.
   */
  joinedAfter(
    em: EntityManager,
    afterId: number,
    limit: number,
  ): Promise<Array<Pick<MemberRecord, 'id' | 'tier' | 'lifecycleStatus' | 'joinedAt' | 'lastPurchaseAt' | 'tierBelowSince'>>> {
    return em.find(Member, {
      select: { id: true, tier: true, lifecycleStatus: true, joinedAt: true, lastPurchaseAt: true, tierBelowSince: true },
      where: { id: MoreThan(afterId), joinedAt: Not(IsNull()) },
      order: { id: 'ASC' },
      take: limit,
    });
  },

  /** Members who joined in [from, until): the till's day summary (new members). */
  countJoinedBetween(em: EntityManager, from: Date, until: Date): Promise<number> {
    return em.countBy(Member, { joinedAt: And(MoreThanOrEqual(from), LessThan(until)) });
  },

  /** Locks the member row (FOR UPDATE on MySQL; SQLite has one writer) and answers its current tier. */
  async lockTier(em: EntityManager, memberId: number): Promise<TierCode> {
    const [row]: Array<{ tier: TierCode }> = await em.query(`SELECT tier FROM member WHERE id = ?${forUpdate(em)}`, [memberId]);
    if (!row) throw new Error(`member ${memberId} does not exist`);
    return row.tier;
  },

  async stampLastPurchase(em: EntityManager, memberId: number, at: Date): Promise<void> {
    await em.query('UPDATE member SET last_purchase_at = ? WHERE id = ?', [sqlDate(em, at), memberId]);
  },

  /** The tier and its downgrade grace start (null: not below the tier's spend). */
  async setTier(em: EntityManager, memberId: number, tier: TierCode | string, belowSince: Date | null): Promise<void> {
    await em.query('UPDATE member SET tier = ?, tier_below_since = ? WHERE id = ?', [
      tier,
      belowSince ? sqlDate(em, belowSince) : null,
      memberId,
    ]);
  },

  /** Conditional on the status the caller read, so a concurrent change is never overwritten by a stale view. Answers whether it changed. */
  async changeLifecycleStatus(em: EntityManager, memberId: number, from: LifecycleStatus, to: LifecycleStatus): Promise<boolean> {
    return (await execute(em, 'UPDATE member SET lifecycle_status = ? WHERE id = ? AND lifecycle_status = ?', [to, memberId, from])) === 1;
  },

  /**
   * Double points through `until` (inclusive, second precision) for these members: one UPDATE per 5,000 ids on
   * MySQL (500 on SQLite). An IN list of the ids, not `UPDATE member JOIN campaign_member`: with two campaign
   * chunks at once on MariaDB 10.11 the multi-table UPDATE took three times as long as this (36 ms against 12 ms a
   * chunk of 1,365 members on the birthday benchmark), and MariaDB before 11.1 has no semi-join for a single-table
   * UPDATE, so `id IN (subquery)` would be tried member by member.
   */
  async setDoublePointsUntil(em: EntityManager, memberIds: readonly number[], until: Date): Promise<void> {
    const perStatement = rowsPerStatement(em, { mysql: 5000, sqlite: IDS_PER_STATEMENT });
    for (let i = 0; i < memberIds.length; i += perStatement) {
      const batch = memberIds.slice(i, i + perStatement);
      await em.query(`UPDATE member SET double_points_until = ? WHERE id IN (${batch.map(() => '?').join(', ')})`, [
        sqlDate(em, until),
        ...batch,
      ]);
    }
  },

  /**
   * Locks the member row and answers its points balance (null: no such member). A locking read: on MySQL it
   * waits for, then sees, what concurrent movements committed, whatever snapshot the transaction already holds.
   */
  async lockPointsBalance(em: EntityManager, memberId: number): Promise<number | null> {
    const [row]: Array<{ balance: number | string }> = await em.query(
      `SELECT points_balance AS balance FROM member WHERE id = ?${forUpdate(em)}`,
      [memberId],
    );
    return row ? Number(row.balance) : null;
  },

  /** Moves the balance by `delta`, never below 0. Answers false (and changes nothing) when it would go below. */
  async movePointsBalance(em: EntityManager, memberId: number, delta: number): Promise<boolean> {
    return (
      (await execute(em, 'UPDATE member SET points_balance = points_balance + ? WHERE id = ? AND points_balance + ? >= 0', [
        delta,
        memberId,
        delta,
      ])) === 1
    );
  },
};
