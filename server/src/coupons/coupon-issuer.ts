import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Statement } from '../database/statement-batches';
import {
  execute,
  forUpdate,
  insertedId,
  jsonBatchTable,
  randomCodeSql,
  rowsPerStatement,
  sqlDate,
  supportsReturning,
  type RandomCode,
} from '../database/dialect';

/** A coupon code: "9" (member codes start with the member-code prefix) and 15 random digits; unique by index. */
const COUPON_CODE: RandomCode = { prefix: '9', digits: 15 };

/** A fresh coupon code (COUPON_CODE) from Node's CSPRNG. */
export function newCouponCode(): string {
  // randomInt draws at most 2^48 values at a time: two draws make the 15 random digits.
  return `9${String(randomInt(0, 1e8)).padStart(8, '0')}${String(randomInt(0, 1e7)).padStart(7, '0')}`;
}

/**
 * Rows per multi-row INSERT and ids per IN list (a coupon row has 10 placeholders): on MySQL fewer, larger
 * statements cost fewer round trips; SQLite must stay within its placeholder limit (dialect.ts).
 */
const ROWS_PER_STATEMENT = { mysql: 2000, sqlite: 90 };
const PLACEHOLDERS_PER_COUPON = 10;

const COLUMNS = 'template_id, member_id, seq, code, status, valid_from, valid_until, idempotency_key, claimed_at, created_at, updated_at';

/** A coupon `issueMany` wrote: its id, found by its (unique) code. */
export interface InsertedCoupon {
  id: number;
  code: string;
}

/** One coupon row, as a claim or an exchange makes it. */
export interface NewCoupon {
  templateId: number;
  memberId: number;
  /** The claim sequence: (template, member, seq) is unique, which caps the per-member limit. */
  seq: number;
  code: string;
  validFrom: Date;
  validUntil: Date;
  /** (member, idempotency key) is unique: a retried tap or run finds the coupon it made. */
  idempotencyKey: string;
  claimedAt: Date;
}

/** The same coupon for many members (a campaign run's, a birthday year's): everything but the member and the code. */
export interface CouponIssue {
  templateId: number;
  /** Far above any per-member claim limit (≤ 100), so it never takes the seq of a claim of the same template. */
  seq: number;
  idempotencyKey: string;
  validFrom: Date;
  validUntil: Date;
  at: Date;
}

/** Members chosen by SQL: `SELECT ${memberId} FROM ${from} WHERE ${where} ORDER BY ${memberId} LIMIT ${limit}`. */
export interface MemberSelection {
  memberId: string;
  from: string;
  where: string;
  params: unknown[];
  /** The first this many by member id (what is left of the stock). */
  limit: number;
}

/**
 * The one place coupons are written into wallets and stock is taken: claims, the points shop, birthday perks,
 * campaigns and whatever comes next. Every method works inside the caller's transaction (`em`), so the coupon,
 * its stock and the caller's own effects (a points debit, a perk row, a checkpoint) commit together.
 *
 * - Stock moves only by conditional relative UPDATE on coupon_template (`claimed_count + n <= total_stock`,
 *   active templates only), never read-modify-write; a CHECK keeps claimed_count within stock as well.
 * - Idempotency is the coupon's unique keys: (member, idempotency key) and (template, member, seq). A second
 *   issue of the same thing fails on them, and the caller's transaction rolls back or skips.
 * - Many coupons go in set-based: INSERT … SELECT with codes drawn by the database where it can draw them
 *   (MySQL: 30 % faster on a month of birthdays than shipping every row from Node), or multi-row VALUES with
 *   codes from Node's CSPRNG (the embedded SQLite; and wherever the caller needs the ids back). A code that
 *   collides fails the statement on uq_coupon_code; callers retry their chunk.
 */
@Injectable()
export class CouponIssuer {
  /** Takes `count` from the stock of an active template, all or nothing. Answers whether it did. */
  async takeStock(em: EntityManager, templateId: number, count: number): Promise<boolean> {
    if (count <= 0) return true;
    const taken = await em.queryRunner!.query(
      'UPDATE coupon_template SET claimed_count = claimed_count + ? ' +
        "WHERE id = ? AND status = 'active' AND claimed_count + ? <= total_stock",
      [count, templateId, count],
      true,
    );
    return taken.affected === 1;
  }

  /**
   * When the stock cannot cover `wanted`: locks the template row and takes what is left (nothing when the template
   * is paused or sold out). Answers how many were taken. The rare path: the template row stays locked to the
   * caller's commit, which is why the common path is `takeStock` first.
   */
  async takeRemainingStock(em: EntityManager, templateId: number, wanted: number): Promise<number> {
    const [row]: Array<{ remaining: number | string; status: string }> = await em.query(
      `SELECT total_stock - claimed_count AS remaining, status FROM coupon_template WHERE id = ?${forUpdate(em)}`,
      [templateId],
    );
    const count = row && row.status === 'active' ? Math.max(0, Math.min(wanted, Number(row.remaining))) : 0;
    if (count > 0 && !(await this.takeStock(em, templateId, count)))
      throw new Error(`coupon template ${templateId}: stock changed under its lock`);
    return count;
  }

  /** Issues one coupon (no stock taken: see takeStock); answers its id. */
  async issueOne(em: EntityManager, coupon: NewCoupon): Promise<number> {
    const inserted = await em.queryRunner!.query(
      `INSERT INTO coupon (${COLUMNS}) VALUES (?, ?, ?, ?, 'available', ?, ?, ?, ?, ?, ?)`,
      rowOf(em, coupon),
      true,
    );
    return insertedId(em, inserted);
  }

  /**
   * Issues many distinct coupons in multi-row INSERTs and answers each one's id and code (in no set order): what a
   * write-combined claim flush needs: with RETURNING where the database has it (MariaDB), else read back by
   * their unique codes in the same transaction (MySQL 8, TiDB, SQLite; see supportsReturning).
   */
  async issueMany(em: EntityManager, coupons: NewCoupon[]): Promise<InsertedCoupon[]> {
    const result: InsertedCoupon[] = [];
    for (const statement of this.issueManyStatements(em, coupons, await supportsReturning(em.connection))) {
      const rows: unknown = await em.queryRunner!.query(statement.sql, statement.params as unknown[]);
      if (statement.answersIds) result.push(...insertedOf(rows));
    }
    return result;
  }

  /**
   * The statements `issueMany` runs, for a caller that sends them in one batch (ClaimFlush on MySQL): per chunk of
   * rows, the INSERT … RETURNING id, code, or (without RETURNING) the INSERT and a read back by the unique codes.
   * `answersIds` marks the statements whose rows are the coupons' ids and codes (read them with `insertedOf`).
   */
  issueManyStatements(em: EntityManager, coupons: NewCoupon[], returning: boolean): Array<Statement & { answersIds: boolean }> {
    const statements: Array<Statement & { answersIds: boolean }> = [];
    for (const batch of batches(coupons, this.rowsPerStatement(em))) {
      const { sql, params } = sharedTermsInsert(em, batch) ?? {
        sql: `INSERT INTO coupon (${COLUMNS}) VALUES ${valuesRows(batch.length)}`,
        params: batch.flatMap((coupon) => rowOf(em, coupon)),
      };
      if (returning) {
        statements.push({ sql: `${sql} RETURNING id, code`, params, answersIds: true });
        continue;
      }
      statements.push({ sql, params, answersIds: false });
      statements.push({
        sql: `SELECT id, code FROM coupon WHERE code IN (${marks(batch.length)})`,
        params: batch.map((c) => c.code),
        answersIds: true,
      });
    }
    return statements;
  }

  /**
   * `takeStock` for a batch that commits right after it (ClaimFlush on MySQL), by a caller that holds the template
   * row's lock and read it active with stock for `count`. A batch cannot stop on "no row changed", so the UPDATE
   * is not conditional: the CHECK (claimed_count ≤ total_stock) fails it, and the batch with its COMMIT, if the
   * stock would not cover it; the lock keeps the status.
   */
  takeStockUnderLock(templateId: number, count: number): Statement {
    return { sql: 'UPDATE coupon_template SET claimed_count = claimed_count + ? WHERE id = ?', params: [count, templateId] };
  }

  /**
   * Issues the same coupon to each of `memberIds` (no stock taken: see takeStock), set-based: one INSERT … SELECT
   * per batch with codes drawn by the database where it can (MySQL), else multi-row VALUES with codes from Node.
   */
  async issueToMembers(em: EntityManager, issue: CouponIssue, memberIds: number[]): Promise<void> {
    const [validFrom, validUntil, at] = [sqlDate(em, issue.validFrom), sqlDate(em, issue.validUntil), sqlDate(em, issue.at)];
    const code = randomCodeSql(em, COUPON_CODE);
    for (const batch of batches(memberIds, this.rowsPerStatement(em))) {
      if (code) {
        await em.query(
          `INSERT INTO coupon (${COLUMNS}) SELECT ?, m.id, ?, ${code}, 'available', ?, ?, ?, ?, ?, ? ` +
            `FROM member m WHERE m.id IN (${marks(batch.length)})`,
          [issue.templateId, issue.seq, validFrom, validUntil, issue.idempotencyKey, at, at, at, ...batch],
        );
      } else {
        await em.query(
          `INSERT INTO coupon (${COLUMNS}) VALUES ${valuesRows(batch.length)}`,
          batch.flatMap((memberId) => [
            issue.templateId,
            memberId,
            issue.seq,
            newCouponCode(),
            validFrom,
            validUntil,
            issue.idempotencyKey,
            at,
            at,
            at,
          ]),
        );
      }
    }
  }

  /**
   * Issues the same coupon to the members a query selects, without shipping their ids through Node where the
   * database draws the codes (one INSERT … SELECT over the selection, MySQL); elsewhere the ids are read and
   * issued as `issueToMembers` does.
   */
  async issueToSelection(em: EntityManager, issue: CouponIssue, selection: MemberSelection): Promise<void> {
    if (selection.limit <= 0) return;
    const tail = `FROM ${selection.from} WHERE ${selection.where} ORDER BY ${selection.memberId} LIMIT ${Math.floor(selection.limit)}`;
    const code = randomCodeSql(em, COUPON_CODE);
    if (!code) {
      const rows: Array<{ memberId: number | string }> = await em.query(
        `SELECT ${selection.memberId} AS memberId ${tail}`,
        selection.params,
      );
      return this.issueToMembers(
        em,
        issue,
        rows.map((row) => Number(row.memberId)),
      );
    }
    const at = sqlDate(em, issue.at);
    await em.query(`INSERT INTO coupon (${COLUMNS}) SELECT ?, ${selection.memberId}, ?, ${code}, 'available', ?, ?, ?, ?, ?, ? ${tail}`, [
      issue.templateId,
      issue.seq,
      sqlDate(em, issue.validFrom),
      sqlDate(em, issue.validUntil),
      issue.idempotencyKey,
      at,
      at,
      at,
      ...selection.params,
    ]);
  }

  /**
   * Voids an unused coupon (a reward taken back when its sale was refunded): available → expired, its validity
   * ended now, so the wallet shows it as expired and no till accepts it. Stock stays taken (the coupon was issued).
   * Answers whether it voided it: false when the coupon was already used or expired, so a rerun changes nothing.
   */
  async voidUnused(em: EntityManager, couponId: number, now: Date): Promise<boolean> {
    const at = sqlDate(em, new Date(Math.floor(now.getTime() / 1000) * 1000 - 1000));
    const changed = await execute(
      em,
      "UPDATE coupon SET status = 'expired', valid_until = ?, updated_at = ? WHERE id = ? AND status = 'available'",
      [at, sqlDate(em, now), couponId],
    );
    return changed === 1;
  }

  private rowsPerStatement(em: EntityManager): number {
    return rowsPerStatement(em, ROWS_PER_STATEMENT, PLACEHOLDERS_PER_COUPON);
  }
}

/** What varies between the coupons of a flush (the rest is one template's, issued at one moment). */
const PER_COUPON_COLUMNS = [
  ['member_id', 'INT'],
  ['seq', 'INT'],
  ['code', 'VARCHAR(20)'],
  ['idempotency_key', 'VARCHAR(64)'],
] as const;

/**
 * On MySQL, coupons that share their template, validity and moment of issue (a claim flush's) as one INSERT …
 * SELECT over a JSON parameter: the four values that differ per coupon travel as one JSON string, the rest once.
 * A VALUES list of 250 coupons is 2,500 values for mysql2 to escape (five dates formatted each row), which was
 * the largest share of the server's CPU the flush had left. Null when the rows differ in more, or elsewhere.
 */
function sharedTermsInsert(em: EntityManager, coupons: NewCoupon[]): Statement | null {
  const [first] = coupons;
  const batch = jsonBatchTable(em.connection, 'batch', PER_COUPON_COLUMNS);
  if (!batch || !first) return null;
  const shared = (c: NewCoupon) =>
    c.templateId === first.templateId &&
    c.validFrom.getTime() === first.validFrom.getTime() &&
    c.validUntil.getTime() === first.validUntil.getTime() &&
    c.claimedAt.getTime() === first.claimedAt.getTime();
  if (!coupons.every(shared)) return null;
  const at = sqlDate(em, first.claimedAt);
  return {
    sql:
      `INSERT INTO coupon (${COLUMNS}) SELECT ?, batch.member_id, batch.seq, batch.code, 'available', ?, ?, ` +
      `batch.idempotency_key, ?, ?, ? FROM ${batch}`,
    params: [
      first.templateId,
      sqlDate(em, first.validFrom),
      sqlDate(em, first.validUntil),
      at,
      at,
      at,
      JSON.stringify(coupons.map((c) => [c.memberId, c.seq, c.code, c.idempotencyKey])),
    ],
  };
}

function rowOf(em: EntityManager, c: NewCoupon): unknown[] {
  const at = sqlDate(em, c.claimedAt);
  return [c.templateId, c.memberId, c.seq, c.code, sqlDate(em, c.validFrom), sqlDate(em, c.validUntil), c.idempotencyKey, at, at, at];
}

/** The ids and codes of the rows an `answersIds` statement read. */
export function insertedOf(rows: unknown): InsertedCoupon[] {
  return (rows as Array<{ id: number | string; code: string }>).map((row) => ({ id: Number(row.id), code: String(row.code) }));
}

function* batches<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** `count` rows of a coupon's VALUES: available, the rest from parameters (rowOf). */
function valuesRows(count: number): string {
  return Array.from({ length: count }, () => "(?, ?, ?, ?, 'available', ?, ?, ?, ?, ?, ?)").join(', ');
}

function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
