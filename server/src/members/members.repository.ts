import { AccountStatus, type LifecycleStatus, type TierCode } from '@member/shared';
import { And, In, IsNull, LessThan, MoreThan, MoreThanOrEqual, Not, type EntityManager } from 'typeorm';
import {
  execute,
  forUpdate,
  isMysql,
  jsonBatchTable,
  rowsPerStatement,
  sqlDate,
  sqlDateValue,
  type DialectSource,
} from '../database/dialect';
import type { Statement } from '../database/statement-batches';
import { Member } from './member.entity';

/** Ids per IN list: SQLite builds may stop at 999 placeholders a statement. */
const IDS_PER_STATEMENT = 500;

/**
 * The openid of a member an import brought in, until they log in with WeChat and bind the same phone: the
 * column is unique and required, and this value can never be a real openid (WeChat's have no colon). Derived
 * from the phone's keyed hash, so importing the same phone twice collides instead of making a second member.
 */
export const IMPORTED_OPENID_PREFIX = 'import:';
export const importedOpenid = (phoneHash: string) => `${IMPORTED_OPENID_PREFIX}${phoneHash.slice(0, 56)}`;

/** A member as an import brings them in (the phone already sealed and hashed like an app join's). */
export interface ImportedMemberRow {
  phoneCipher: string;
  phoneHash: string;
  phoneMasked: string;
  nickname: string | null;
  birthday: string | null;
  externalId: string | null;
}

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

/** A claimer as the claim rules see them (claimProfiles): joined since when, the tier, and a deleted account. */
export type ClaimProfile = Pick<MemberRecord, 'joinedAt' | 'tier'> & { deleted: boolean };

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
   * What the claim rules read of each member (joined since when, the tier, and whether the account was deleted:
   * the flash-claim route checks its session's liveness here instead of in a read of its own), for a batch of
   * claimers in one statement per 500 ids: a write-combined claim flush judges hundreds of members at once.
   * Members not found are absent from the map.
   */
  async claimProfiles(em: EntityManager, memberIds: readonly number[]): Promise<Map<number, ClaimProfile>> {
    const rows: unknown[] = [];
    for (const statement of this.claimProfileStatements(em, memberIds))
      rows.push(await em.query(statement.sql, statement.params as unknown[]));
    return this.claimProfilesOf(rows);
  },

  /**
   * claimProfiles' statements, for a caller that sends them in a batch with its own (the flash-claim flush): on
   * MySQL one statement joining from the ids (jsonBatchTable: a look-up each, where an IN list of hundreds cost
   * half as much again), elsewhere IN lists of 500.
   */
  claimProfileStatements(source: DialectSource, memberIds: readonly number[]): Statement[] {
    const unique = [...new Set(memberIds)];
    const batch = jsonBatchTable(source, 'batch', [['id', 'INT']]);
    if (batch)
      return [
        {
          sql: `SELECT STRAIGHT_JOIN m.id, m.joined_at AS joinedAt, m.tier, m.account_status AS accountStatus
                 FROM ${batch} JOIN member m ON m.id = batch.id`,
          params: [JSON.stringify(unique)],
        },
      ];
    const statements: Statement[] = [];
    for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
      const batch = unique.slice(i, i + IDS_PER_STATEMENT);
      statements.push({
        sql: `SELECT id, joined_at AS joinedAt, tier, account_status AS accountStatus FROM member
               WHERE id IN (${batch.map(() => '?').join(', ')})`,
        params: batch,
      });
    }
    return statements;
  },

  /** The profiles in the rows of claimProfileStatements (one array of rows per statement). */
  claimProfilesOf(results: readonly unknown[]): Map<number, ClaimProfile> {
    const found = new Map<number, ClaimProfile>();
    for (const rows of results as Array<
      Array<{ id: number | string; joinedAt: Date | string | null; tier: TierCode; accountStatus: string }>
    >)
      for (const row of rows)
        found.set(Number(row.id), {
          joinedAt: sqlDateValue(row.joinedAt),
          tier: row.tier,
          deleted: row.accountStatus === AccountStatus.Deleted,
        });
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

  /**
   * Locks the member row, as lockTier, and answers its tier and whether the account was deleted (注销) by then:
   * read under the lock, so a deletion that committed while the caller waited for it is seen.
   */
  async lockAccount(em: EntityManager, memberId: number): Promise<{ tier: TierCode; deleted: boolean }> {
    const [row]: Array<{ tier: TierCode; accountStatus: string }> = await em.query(
      `SELECT tier, account_status AS accountStatus FROM member WHERE id = ?${forUpdate(em)}`,
      [memberId],
    );
    if (!row) throw new Error(`member ${memberId} does not exist`);
    return { tier: row.tier, deleted: row.accountStatus === AccountStatus.Deleted };
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

  /** Which of these phone hashes already belong to a member (an import skips them: never a second member). */
  async phoneHashesTaken(em: EntityManager, phoneHashes: readonly string[]): Promise<Set<string>> {
    return valuesTaken(em, 'phone_hash', phoneHashes);
  },

  /**
   * Which of these external ids (the retailer's own member ids) a member already has, as externalIdKey folds them:
   * `VIP-1` is taken when a member has `vip-1`.
   */
  async externalIdsTaken(em: EntityManager, externalIds: readonly string[]): Promise<Set<string>> {
    const taken = await valuesTaken(em, 'external_id', externalIds.map(externalIdKey));
    return new Set([...taken].map(externalIdKey));
  },

  /**
   * Inserts imported members (multi-row INSERTs), joined as of `now` and never deleted, and answers their ids by
   * phone hash. The caller has checked that none of the phones is taken; one that a WeChat join took meanwhile
   * fails the unique index, and the caller's transaction rolls back and is tried again.
   */
  async insertImported(em: EntityManager, rows: readonly ImportedMemberRow[], now: Date, today: string): Promise<Map<string, number>> {
    const columns = [
      'openid',
      'phone_cipher',
      'phone_hash',
      'phone_masked',
      'phone_last4',
      'nickname',
      'birthday',
      'birthday_month',
      'birthday_day',
      'birthday_set_on',
      'external_id',
      'joined_at',
      'imported_at',
      'created_at',
      'updated_at',
      'version',
    ];
    const perStatement = rowsPerStatement(em, { mysql: 2000, sqlite: 60 }, columns.length);
    const at = sqlDate(em, now);
    for (let i = 0; i < rows.length; i += perStatement) {
      const batch = rows.slice(i, i + perStatement);
      const params: unknown[] = [];
      for (const row of batch) {
        const [, month, day] = row.birthday ? row.birthday.split('-').map(Number) : [null, null, null];
        params.push(
          importedOpenid(row.phoneHash),
          row.phoneCipher,
          row.phoneHash,
          row.phoneMasked,
          // The console's 手机尾号 search reads it, as for a member who joined in the app (the mask's last four).
          /\*{4}(\d{4})$/.exec(row.phoneMasked)?.[1] ?? null,
          row.nickname,
          row.birthday,
          month,
          day,
          // Set by the retailer, not by the member: the member's own once-a-year change counts from the import day.
          row.birthday ? today : null,
          row.externalId,
          at,
          at,
          at,
          at,
          1,
        );
      }
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      await em.query(`INSERT INTO member (${columns.join(', ')}) VALUES ${batch.map(() => tuple).join(', ')}`, params);
    }
    const ids = new Map<string, number>();
    const hashes = rows.map((row) => row.phoneHash);
    for (let i = 0; i < hashes.length; i += IDS_PER_STATEMENT) {
      const batch = hashes.slice(i, i + IDS_PER_STATEMENT);
      const found: Array<{ id: number | string; phoneHash: string }> = await em.query(
        `SELECT id, phone_hash AS phoneHash FROM member WHERE phone_hash IN (${batch.map(() => '?').join(', ')})`,
        batch,
      );
      for (const row of found) ids.set(row.phoneHash, Number(row.id));
    }
    return ids;
  },

  /** Sets one tier for these members (an import's tier column, through the membership module). */
  async setTierOf(em: EntityManager, memberIds: readonly number[], tier: TierCode | string): Promise<void> {
    for (let i = 0; i < memberIds.length; i += IDS_PER_STATEMENT) {
      const batch = memberIds.slice(i, i + IDS_PER_STATEMENT);
      await em.query(`UPDATE member SET tier = ? WHERE id IN (${batch.map(() => '?').join(', ')})`, [tier, ...batch]);
    }
  },

  /**
   * Adds to many balances at once (the opening balances of imported members, written by the points ledger with
   * their ledger lines and lots): one UPDATE … CASE per 500 members. Positive amounts only.
   */
  async addPointsBalances(em: EntityManager, amounts: ReadonlyMap<number, number>): Promise<void> {
    const entries = [...amounts].filter(([, points]) => points > 0);
    for (let i = 0; i < entries.length; i += IDS_PER_STATEMENT / 2) {
      const batch = entries.slice(i, i + IDS_PER_STATEMENT / 2);
      const changed = await execute(
        em,
        `UPDATE member SET points_balance = points_balance + CASE id ${batch.map(() => 'WHEN ? THEN ?').join(' ')} END
          WHERE id IN (${batch.map(() => '?').join(', ')})`,
        [...batch.flat(), ...batch.map(([id]) => id)],
      );
      if (changed !== batch.length) throw new Error(`points balances: ${changed} of ${batch.length} members found`);
    }
  },

  /**
   * The imported member (not yet bound to WeChat) holding this phone, locked for the rest of the transaction;
   * null when the phone is nobody's or belongs to a member who joined in the app.
   */
  async lockUnboundImported(em: EntityManager, phoneHash: string): Promise<{ id: number } | null> {
    const [row]: Array<{ id: number | string }> = await em.query(
      `SELECT id FROM member WHERE phone_hash = ? AND openid = ? AND account_status = ?${forUpdate(em)}`,
      [phoneHash, importedOpenid(phoneHash), AccountStatus.Active],
    );
    return row ? { id: Number(row.id) } : null;
  },

  /**
   * A WeChat user bound the phone of an imported member: that member becomes theirs (openid, consent) and the
   * empty row their first login made is retired as deleted, so their old session is refused and the mini-program
   * logs in again (SESSION_REVOKED), landing on the imported member with its points, tier and history. The
   * visitor row had not joined, so nothing of a member's (purchases, points, coupons) can hang from it.
   * Answers false when either row was not as expected (a race): nothing is changed then.
   */
  async bindImported(
    em: EntityManager,
    binding: { importedId: number; visitorId: number; openid: string; unionid: string | null; policyVersion: string; now: Date },
  ): Promise<boolean> {
    const at = sqlDate(em, binding.now);
    const retired = await execute(
      em,
      `UPDATE member SET openid = ?, unionid = NULL, account_status = ?, deleted_at = ?, version = version + 1
        WHERE id = ? AND openid = ? AND joined_at IS NULL AND account_status = ?`,
      [`bound:${binding.visitorId}`, AccountStatus.Deleted, at, binding.visitorId, binding.openid, AccountStatus.Active],
    );
    if (retired !== 1) return false;
    const visitor: Array<{ nickname: string | null; avatarUrl: string | null }> = await em.query(
      'SELECT nickname, avatar_url AS avatarUrl FROM member WHERE id = ?',
      [binding.visitorId],
    );
    const bound = await execute(
      em,
      `UPDATE member SET openid = ?, unionid = ?, privacy_policy_version = ?, privacy_accepted_at = ?,
          nickname = COALESCE(nickname, ?), avatar_url = COALESCE(avatar_url, ?), version = version + 1
        WHERE id = ? AND openid LIKE ? AND account_status = ?`,
      [
        binding.openid,
        binding.unionid,
        binding.policyVersion,
        at,
        visitor[0]?.nickname ?? null,
        visitor[0]?.avatarUrl ?? null,
        binding.importedId,
        `${IMPORTED_OPENID_PREFIX}%`,
        AccountStatus.Active,
      ],
    );
    return bound === 1;
  },
};

/**
 * How two external ids are told apart: without case, as the unique index uq_member_external_id does on MySQL
 * (utf8mb4_unicode_ci), so an import judges a file as the database will take it. They are [\w-] (import-rows.ts),
 * where that collation is ASCII case folding.
 */
export function externalIdKey(externalId: string): string {
  return externalId.toLowerCase();
}

/**
 * Which of `values` column `column` of member already holds, 500 to a statement. External ids are compared
 * without case: the column's own collation on MySQL; NOCASE on SQLite, whose text compares exactly otherwise.
 */
async function valuesTaken(em: EntityManager, column: 'phone_hash' | 'external_id', values: readonly string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  const unique = [...new Set(values)];
  const compared = column === 'external_id' && !isMysql(em) ? `${column} COLLATE NOCASE` : column;
  for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
    const batch = unique.slice(i, i + IDS_PER_STATEMENT);
    const rows: Array<{ value: string }> = await em.query(
      `SELECT ${column} AS value FROM member WHERE ${compared} IN (${batch.map(() => '?').join(', ')})`,
      batch,
    );
    for (const row of rows) taken.add(row.value);
  }
  return taken;
}
