import type { AppConfig } from '@member/config';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import {
  forUpdate,
  jsonBatchTable,
  MYSQL_KEY_COLLATION,
  sqlDateValue as asDate,
  supportsReturning,
  tuplesIn,
  type DialectSource,
} from '../database/dialect';
import { StatementBatches, type BatchConnection, type Statement } from '../database/statement-batches';
import { isRetryableLockConflict, isUniqueViolation, pauseAfterLockConflict, type TransactionRunner } from '../database/transaction-runner';
import { membersRepository } from '../members/members.repository';
import { decideFlush, pairOf, type ClaimRefusal, type Tap } from './claim-decisions';
import { CouponIssuer, insertedOf, newCouponCode, type InsertedCoupon, type NewCoupon } from './coupon-issuer';
import { CouponTemplate } from './coupon-template.entity';
import { Coupon } from './coupon.entity';
import { couponValidity } from './coupon-rules';
import { audienceTiersOf, validityOf } from './coupon.views';

/** A coupon's (member, idempotency key): unique (uq_coupon_idempotency), looked up many pairs at a time. */
const MEMBER_KEY = ['member_id', 'idempotency_key'];

/** A flush that lost a race on a unique key (a coupon code, a claim taken by another path) is judged again. */
const MAX_FLUSH_ATTEMPTS = 4;

const COUPON_COLUMNS = [
  'id',
  'template_id',
  'member_id',
  'seq',
  'code',
  'status',
  'valid_from',
  'valid_until',
  'idempotency_key',
  'claimed_at',
  'redeemed_at',
  'created_at',
  'updated_at',
];
/** What counting a member's coupons needs (id, template_id, member_id, seq), the rest NULL, for a UNION with whole rows. */
const COUNTED_COLUMNS = COUPON_COLUMNS.map((column, i) => (i < 4 ? column : `NULL AS ${column}`));
const columnsOf = (columns: string[], table?: string) =>
  columns.map((c) => (table && !c.startsWith('NULL') ? `${table}.${c}` : c)).join(', ');

/** Each tap's answer: its coupon (new or the one its key already made), or why not. */
export type FlushAnswer = { kind: 'coupon'; coupon: Coupon } | { kind: 'refused'; code: ClaimRefusal };

export interface FlushResult<T extends Tap> {
  /** The batch this flush took, in arrival order; `answers` follow it. */
  taps: T[];
  answers: FlushAnswer[];
  now: Date;
  /** The counters when this flush left the template sold out (null while stock is left). */
  soldOutAt: { claimedCount: number; totalStock: number } | null;
}

interface TemplateCounters {
  status: CouponTemplate['status'];
  total_stock: number | string;
  claimed_count: number | string;
  terms_version: number | string;
}

const LOCK_TEMPLATE = 'SELECT status, total_stock, claimed_count, terms_version FROM coupon_template WHERE id = ?';

/**
 * A flush's transaction, as the statements it needs: the same SQL either way, sent one round trip each inside a
 * TransactionRunner transaction (the embedded SQLite), or batched on a MySQL connection of StatementBatches, where
 * the lock goes with the BEGIN and the writes with the COMMIT: three round trips instead of six, and two with a long
 * queue, whose reads go with the lock too (round trips made while the row is locked were most of a flash claim's
 * latency at low concurrency).
 */
interface FlushTransaction {
  /**
   * Begins, locks the template row and reads, for the batch, what `reads` asks. With `takeFirst`, where the
   * connection takes a batch of statements (MySQL), the batch is taken first and all of it goes in one round trip;
   * otherwise the batch is taken once the lock is held and read in a round trip of its own. `taps` is empty (and
   * nothing was read) when the queue was.
   */
  lockAndRead<T>(
    templateId: number,
    batch: () => T[],
    reads: (taps: T[]) => Statement[],
    takeFirst: boolean,
  ): Promise<{ row: TemplateCounters | undefined; taps: T[]; results: unknown[] }>;
  /** Issues the coupons, takes their stock and commits (or leaves the commit to the runner); answers the ids. */
  writeAndCommit(templateId: number, fresh: NewCoupon[]): Promise<InsertedCoupon[]>;
}

/**
 * The SQL of one write-combined flush, in one transaction:
 *
 *   lock the template row (FOR UPDATE) → take the batch: every tap that queued until now → read the batch members'
 *   coupons of this template and the coupons the batch's (member, key) pairs already made, in one statement, so
 *   in a snapshot no other flush can change (a retried tap must get its coupon back, not "limit") → decide
 *   (claim-decisions.ts, pure) → CouponIssuer: one multi-row INSERT, one `claimed_count + n` conditional UPDATE
 *   → COMMIT.
 *
 * With a short queue the batch is taken once the lock is held, not when the flush begins: a flush waiting behind
 * another's lock takes everything that arrived meanwhile, so batches are as large as the lock's turnover allows and
 * each claim carries a smaller share of the flush's round trips (they were most of the server's database CPU).
 * With a long one (`readWithLockFrom`) the batch is taken as the flush begins and its reads go with the lock, one
 * round trip fewer under the lock: a server that busy reads each reply milliseconds late, all of it lock time.
 * The members' profiles (joined, tier, a deleted account) are read with the batch's coupons, by statements their
 * owner builds (members.repository); they are not part of what the lock protects.
 */
export class ClaimFlush {
  private readonly logger = new Logger(ClaimFlush.name);
  /** MySQL: the flushes' own connections, which take a batch of statements per round trip (opened at the first flush). */
  private batches: StatementBatches | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly issuer: CouponIssuer,
  ) {}

  /**
   * One flush: `take` is called once for the batch, under the lock or, with `queued()` at `readWithLockFrom` or
   * more, as the flush begins (an attempt judged again after a unique-key race or a lost deadlock keeps the same
   * batch). `locked` is told each time an attempt holds the lock with its batch (the combiner counts the first).
   */
  async run<T extends Tap>(
    template: CouponTemplate,
    take: () => T[],
    { locked = () => undefined, queued = () => 0 }: { locked?: () => void; queued?: () => number } = {},
  ): Promise<FlushResult<T>> {
    let taken: T[] | null = null;
    const batch = () => (taken ??= take());
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      try {
        // Decided once, as the flush begins: a retried attempt has its batch already.
        const takeFirst = taken !== null || queued() >= this.config.coupons.flashClaim.readWithLockFrom;
        return { now, ...(await this.transaction((tx) => this.write(tx, template, batch, now, locked, takeFirst))) };
      } catch (error) {
        const lockConflict = this.batches !== null && isRetryableLockConflict(error);
        if (attempt >= MAX_FLUSH_ATTEMPTS || !(isUniqueViolation(error) || lockConflict)) throw error;
        this.logger.warn({ templateId: template.id, attempt }, 'claim flush judged again after a unique-key race or a lock conflict');
        // A lost unique-key race is judged again at once (the codes are new); a lock conflict waits as TransactionRunner's do.
        if (lockConflict) await pauseAfterLockConflict(attempt);
      }
    }
  }

  /** Closes the flushes' own connections (shutdown, after the last flush). */
  async close(): Promise<void> {
    const batches = this.batches;
    this.batches = null;
    await batches?.close();
  }

  /**
   * One attempt's transaction: batched on MySQL (StatementBatches; deadlocks are retried by `run`), one statement
   * per round trip in a TransactionRunner transaction on the embedded SQLite (which queues its transactions).
   */
  private async transaction<R>(work: (tx: FlushTransaction) => Promise<R>): Promise<R> {
    // The database the server runs on, as its DataSource was opened: not the config's URL, which a caller that
    // hands the server a DataSource of its own need not set (the service tests did not, so on MariaDB they ran the
    // one-statement path and never this one). A MySQL DataSource opened from host and port keeps that path.
    const options = this.dataSource.options;
    const url = options.type === 'mysql' || options.type === 'mariadb' ? options.url : undefined;
    if (this.transactions.isEmbedded || !url) return this.transactions.run((em) => work(new RunnerFlushTransaction(em, this.issuer)));
    this.batches ??= new StatementBatches(url, this.config.coupons.flashClaim.connections);
    const returning = await supportsReturning(this.dataSource);
    return this.batches.transaction((connection) =>
      work(new BatchedFlushTransaction(connection, this.dataSource.manager, this.issuer, returning)),
    );
  }

  private async write<T extends Tap>(
    tx: FlushTransaction,
    cached: CouponTemplate,
    batch: () => T[],
    now: Date,
    locked: () => void,
    takeFirst: boolean,
  ): Promise<Omit<FlushResult<T>, 'now'>> {
    // The batch's coupons and keys are read in this transaction, once the lock is held (the snapshot the limit and
    // the retried keys need), and with them the members' profiles (joined, tier, a deleted account): with a long
    // queue, in the same round trip as the lock. A server busy enough to queue that many answers a database reply
    // milliseconds late, and the flush holds the lock through each such wait; with a short one, the batch taken
    // under the lock is larger by what arrived while the flush waited, and the extra round trip is quick.
    const reads = (batchTaps: T[]) => [
      flushCouponsStatement(this.dataSource, cached.id, batchTaps),
      ...membersRepository.claimProfileStatements(
        this.dataSource,
        batchTaps.map((t) => t.memberId),
      ),
    ];
    const { row, taps, results } = await tx.lockAndRead(cached.id, batch, reads, takeFirst);
    locked();
    if (taps.length === 0) return { taps, answers: [], soldOutAt: null };
    if (!row) return { taps, answers: taps.map(() => ({ kind: 'refused', code: 'COUPON_TEMPLATE_NOT_FOUND' })), soldOutAt: null };
    // The claim path's copy may predate an edit made while the template was not live yet (TemplatesService.update):
    // under the lock no edit can land, so the row read now is the terms the coupons are written with.
    // Read beside the transaction: the lock it holds keeps any edit from committing, so this is the row under the lock.
    const template =
      Number(row.terms_version) === cached.termsVersion
        ? cached
        : await this.dataSource.manager.findOneByOrFail(CouponTemplate, { id: cached.id });
    const totalStock = Number(row.total_stock);
    const claimedBefore = Number(row.claimed_count);
    const [couponRows, ...profileRows] = results;
    const { held, existing } = this.couponsOf(couponRows as Array<Record<string, unknown>>, template.id, taps);
    const members = membersRepository.claimProfilesOf(profileRows);
    const timeZone = this.config.businessCalendar.timeZone;
    const { decisions, fresh } = decideFlush(taps, {
      templateId: template.id,
      template: {
        status: row.status,
        claimStartsAt: template.claimStartsAt,
        claimEndsAt: template.claimEndsAt,
        totalStock,
        claimedCount: claimedBefore,
        perMemberLimit: template.perMemberLimit,
        audience: template.audience,
        audienceTiers: audienceTiersOf(template),
        validUntil: template.validUntil,
      },
      members,
      held,
      existing,
      now,
      ...couponValidity(validityOf(template), now, timeZone),
      config: this.config,
      newCode: newCouponCode,
    });

    const ids = new Map((await tx.writeAndCommit(template.id, fresh)).map((c) => [c.code, c.id]));
    const answers = decisions.map((decision): FlushAnswer => {
      if (decision.kind === 'refused') return decision;
      if (decision.kind === 'replay') return { kind: 'coupon', coupon: decision.coupon };
      const id = ids.get(decision.coupon.code);
      if (id === undefined) throw new Error(`claim flush: no id read back for a coupon of template ${template.id}`);
      return {
        kind: 'coupon',
        coupon: Object.assign(new Coupon(), decision.coupon, { id, status: 'available', redeemedAt: null, createdAt: now, updatedAt: now }),
      };
    });
    const claimedAfter = claimedBefore + fresh.length;
    return { taps, answers, soldOutAt: claimedAfter >= totalStock ? { claimedCount: claimedAfter, totalStock } : null };
  }

  /** What flushCouponsStatement read: each batch member's count and top seq, and the coupons of the batch's keys. */
  private couponsOf(
    rows: Array<Record<string, unknown>>,
    templateId: number,
    taps: readonly Tap[],
  ): { held: Map<number, { count: number; topSeq: number }>; existing: Map<string, Coupon> } {
    const pairs = new Set(taps.map((t) => pairOf(t.memberId, t.idempotencyKey)));
    const held = new Map<number, { count: number; topSeq: number }>();
    const existing = new Map<string, Coupon>();
    const counted = new Set<number>();
    for (const row of rows) {
      const id = Number(row.id);
      const memberId = Number(row.member_id);
      if (Number(row.template_id) === templateId && !counted.has(id)) {
        counted.add(id); // a coupon of this template with a batch key is in both halves
        const mine = held.get(memberId) ?? { count: 0, topSeq: 0 };
        held.set(memberId, { count: mine.count + 1, topSeq: Math.max(mine.topSeq, Number(row.seq)) });
      }
      if (row.code === null) continue; // counted only
      const coupon = couponOfRow(row);
      const pair = coupon.idempotencyKey === null ? null : pairOf(coupon.memberId, coupon.idempotencyKey);
      if (pair && pairs.has(pair)) existing.set(pair, coupon);
    }
    return { held, existing };
  }
}

/**
 * A flush's read, one statement: the batch members' coupons of this template (how many each holds, the highest
 * seq) and the coupons of the batch's (member, key) pairs on any template. Each half runs on its own unique index
 * (template, member, seq) and (member, key), a look-up per member or pair: on MySQL joined from the batch as a
 * table (jsonBatchTable; an IN list of more than 200 members read every coupon of the template instead), on
 * SQLite by IN lists. UNION ALL, not OR, so neither becomes a scan. The first half reads only what counting
 * needs (its other columns are NULL): whole rows, six datetimes each to parse, are needed only for the coupons
 * a retried key gets back. Exported for claim-reads.test.ts, which counts the index reads.
 */
export function flushCouponsStatement(source: DialectSource, templateId: number, taps: readonly Tap[]): Statement {
  const memberIds = [...new Set(taps.map((t) => t.memberId))];
  const pairs = [...new Map(taps.map((t) => [pairOf(t.memberId, t.idempotencyKey), [t.memberId, t.idempotencyKey] as const])).values()];
  const members = jsonBatchTable(source, 'batch', [['member_id', 'INT']]);
  const keys = jsonBatchTable(source, 'batch', [
    ['member_id', 'INT'],
    ['idempotency_key', 'VARCHAR(64)'],
  ]);
  if (members && keys)
    return {
      // The key's collation spelled out, the column's (exact): MySQL 8 gives JSON_TABLE's strings a collation of its own.
      sql: `SELECT STRAIGHT_JOIN ${columnsOf(COUNTED_COLUMNS, 'c')} FROM ${members}
              JOIN coupon c ON c.template_id = ? AND c.member_id = batch.member_id
            UNION ALL
            SELECT STRAIGHT_JOIN ${columnsOf(COUPON_COLUMNS, 'c')} FROM ${keys}
              JOIN coupon c ON c.member_id = batch.member_id AND c.idempotency_key = batch.idempotency_key COLLATE ${MYSQL_KEY_COLLATION}`,
      params: [JSON.stringify(memberIds), templateId, JSON.stringify(pairs)],
    };
  return {
    sql: `SELECT ${columnsOf(COUNTED_COLUMNS)} FROM coupon WHERE template_id = ? AND member_id IN (${memberIds.map(() => '?').join(', ')})
     UNION ALL
     SELECT ${columnsOf(COUPON_COLUMNS)} FROM coupon WHERE ${tuplesIn(source, MEMBER_KEY, pairs.length)}`,
    params: [templateId, ...memberIds, ...pairs.flat()],
  };
}

/** The embedded SQLite's flush: each statement its own round trip, in the runner's transaction (it commits). */
class RunnerFlushTransaction implements FlushTransaction {
  constructor(
    private readonly em: EntityManager,
    private readonly issuer: CouponIssuer,
  ) {}

  async lockAndRead<T>(
    templateId: number,
    batch: () => T[],
    reads: (taps: T[]) => Statement[],
    // Each statement is its own round trip here: taking the batch first would save none.
    _takeFirst: boolean,
  ): Promise<{ row: TemplateCounters | undefined; taps: T[]; results: unknown[] }> {
    const [row] = (await this.em.query(`${LOCK_TEMPLATE}${forUpdate(this.em)}`, [templateId])) as TemplateCounters[];
    // Taken now: what queued while this transaction waited for the runner goes too.
    const taps = batch();
    const results: unknown[] = [];
    if (taps.length > 0)
      for (const statement of reads(taps)) results.push(await this.em.query(statement.sql, statement.params as unknown[]));
    return { row, taps, results };
  }

  async writeAndCommit(templateId: number, fresh: NewCoupon[]): Promise<InsertedCoupon[]> {
    const inserted = await this.issuer.issueMany(this.em, fresh);
    // The lock makes this certain; the condition (and the CHECK) make it so even if the lock were lost.
    if (!(await this.issuer.takeStock(this.em, templateId, fresh.length)))
      throw new Error(`claim flush: stock of template ${templateId} moved under its lock`);
    return inserted;
  }
}

/**
 * MySQL's flush, on a connection that takes several statements per round trip: BEGIN with the locking read, the
 * batch's read, then the INSERT(s), the stock UPDATE and the COMMIT in one packet. A statement that fails stops
 * the packet before the COMMIT (a unique key, the stock CHECK) and StatementBatches rolls back.
 */
class BatchedFlushTransaction implements FlushTransaction {
  constructor(
    private readonly connection: BatchConnection,
    /** The dialect the issuer writes for (MySQL), not a connection the flush writes on. */
    private readonly dialect: EntityManager,
    private readonly issuer: CouponIssuer,
    private readonly returning: boolean,
  ) {}

  async lockAndRead<T>(
    templateId: number,
    batch: () => T[],
    reads: (taps: T[]) => Statement[],
    takeFirst: boolean,
  ): Promise<{ row: TemplateCounters | undefined; taps: T[]; results: unknown[] }> {
    const lock: Statement[] = [{ sql: 'START TRANSACTION' }, { sql: `${LOCK_TEMPLATE} FOR UPDATE`, params: [templateId] }];
    if (takeFirst) {
      const taps = batch();
      if (taps.length === 0) return { row: undefined, taps, results: [] };
      const [, rows, ...results] = await this.connection.send([...lock, ...reads(taps)]);
      return { row: (rows as TemplateCounters[])[0], taps, results };
    }
    const [, rows] = await this.connection.send(lock);
    const taps = batch();
    return { row: (rows as TemplateCounters[])[0], taps, results: taps.length === 0 ? [] : await this.connection.send(reads(taps)) };
  }

  async writeAndCommit(templateId: number, fresh: NewCoupon[]): Promise<InsertedCoupon[]> {
    if (fresh.length === 0) {
      await this.connection.send([{ sql: 'COMMIT' }]);
      return [];
    }
    const inserts = this.issuer.issueManyStatements(this.dialect, fresh, this.returning);
    const results = await this.connection.send([...inserts, this.issuer.takeStockUnderLock(templateId, fresh.length), { sql: 'COMMIT' }]);
    return inserts.flatMap((statement, i) => (statement.answersIds ? insertedOf(results[i]) : []));
  }
}

function couponOfRow(r: Record<string, unknown>): Coupon {
  return Object.assign(new Coupon(), {
    id: Number(r.id),
    templateId: Number(r.template_id),
    memberId: Number(r.member_id),
    seq: Number(r.seq),
    code: String(r.code),
    status: r.status as Coupon['status'],
    validFrom: asDate(r.valid_from as Date | string),
    validUntil: asDate(r.valid_until as Date | string),
    idempotencyKey: r.idempotency_key === null ? null : String(r.idempotency_key),
    claimedAt: asDate(r.claimed_at as Date | string),
    redeemedAt: asDate(r.redeemed_at as Date | string | null),
    createdAt: asDate(r.created_at as Date | string),
    updatedAt: asDate(r.updated_at as Date | string),
  });
}
