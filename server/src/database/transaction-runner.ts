import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

const RETRYABLE_MYSQL_ERRORS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const MAX_ATTEMPTS = 4;

export interface RunOptions {
  /**
   * MySQL's isolation level for this transaction (REPEATABLE READ otherwise). READ COMMITTED makes the reads of
   * an INSERT … SELECT or UPDATE … JOIN plain consistent reads instead of shared next-key locks, so set-based
   * writes over disjoint rows do not wait for each other. The embedded SQLite has one writer: it ignores this.
   */
  isolation?: 'READ COMMITTED';
}

/** Work waiting for a transaction opened by `run` to commit, by its EntityManager (dropped with it on rollback). */
const awaitingCommit = new WeakMap<EntityManager, Array<() => Promise<void>>>();

/**
 * Every write goes through here: one transaction at the service boundary, handed to domain code as an
 * EntityManager. Deadlocks are retried in this one place. The embedded sql.js driver has a single shared
 * connection, where TypeORM would turn a second concurrent transaction into a savepoint of the first, so
 * there transactions are queued one after another (SQLite is single-writer anyway).
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {}

  get isEmbedded(): boolean {
    return this.dataSource.options.type === 'sqljs';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>, options: RunOptions = {}): Promise<T> {
    // Each attempt's manager collects its own after-commit work; only the attempt that commits runs it.
    let committed: EntityManager | undefined;
    const tracked = (em: EntityManager): Promise<T> => {
      awaitingCommit.set(em, []);
      committed = em;
      return work(em);
    };
    const then = async (value: T): Promise<T> => {
      await this.runAfterCommit(committed);
      return value;
    };
    if (!this.isEmbedded) return this.runWithRetry(tracked, options.isolation).then(then);
    const result = this.queue.then(() => this.dataSource.transaction(tracked));
    this.queue = result.catch(() => undefined);
    // After the queue slot is released: after-commit work may open transactions of its own.
    return result.then(then);
  }

  /**
   * Runs `work` once the transaction `em` belongs to has committed (never if it rolls back), after the caller's
   * work and before `run` answers. Its failure is logged and never undoes the commit. Without a transaction
   * (`em` outside any) there is nothing to wait for and it runs at once; a transaction opened elsewhere than
   * `run` is a bug: its commit cannot be seen here.
   */
  async afterCommit(em: EntityManager, work: () => Promise<void>): Promise<void> {
    const waiting = awaitingCommit.get(em);
    if (waiting) {
      waiting.push(work);
      return;
    }
    if (em.queryRunner?.isTransactionActive) throw new Error('after-commit work needs a transaction opened by TransactionRunner.run');
    await this.runOne(work);
  }

  private async runAfterCommit(em: EntityManager | undefined): Promise<void> {
    const waiting = em ? awaitingCommit.get(em) : undefined;
    if (!em || !waiting) return;
    awaitingCommit.delete(em);
    for (const work of waiting) await this.runOne(work);
  }

  private async runOne(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.error({ err: error }, 'after-commit work failed; the transaction stays committed');
    }
  }

  private async runWithRetry<T>(work: (manager: EntityManager) => Promise<T>, isolation?: RunOptions['isolation']): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await (isolation ? this.dataSource.transaction(isolation, work) : this.dataSource.transaction(work));
      } catch (error) {
        if (!isRetryableLockConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
        this.logger.warn({ code: errorCode(error), attempt }, 'transaction retried after a lock conflict');
        await pauseAfterLockConflict(attempt);
      }
    }
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
}

/**
 * The wait before a transaction that lost a lock conflict runs again: longer with each attempt, and jittered, so
 * the transactions that met do not meet again at once in the same order.
 */
export function pauseAfterLockConflict(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
}

/** A MySQL deadlock or lock wait timeout: the transaction was rolled back and may simply run again. */
export function isRetryableLockConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && RETRYABLE_MYSQL_ERRORS.has(code);
}

/** True when a write failed on a unique index: the idempotency keys rely on this. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; message?: string } }).driverError;
  const code = driverError?.code ?? (error as { code?: string }).code;
  const message = driverError?.message ?? (error as Error).message ?? '';
  return code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed/i.test(message);
}
