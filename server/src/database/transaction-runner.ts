import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

const RETRYABLE_MYSQL_ERRORS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const MAX_ATTEMPTS = 4;

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

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isEmbedded) return this.runWithRetry(work);
    const result = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runWithRetry<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
        if (!code || !RETRYABLE_MYSQL_ERRORS.has(code) || attempt >= MAX_ATTEMPTS) throw error;
        this.logger.warn({ code, attempt }, 'transaction retried after a lock conflict');
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
      }
    }
  }
}

/** True when a write failed on a unique index: the idempotency keys rely on this. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; message?: string } }).driverError;
  const code = driverError?.code ?? (error as { code?: string }).code;
  const message = driverError?.message ?? (error as Error).message ?? '';
  return code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed/i.test(message);
}
