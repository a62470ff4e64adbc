import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { upsert } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';

export interface ThrottleRecord {
  totalHits: number;
  /** Seconds until the window ends. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until the block ends (0 when not blocked). */
  timeToBlockExpire: number;
}

/**
 * @nestjs/throttler's storage over one small table, so every instance counts against the same numbers (its
 * default storage is per-process memory: N instances would allow N times the limit). One hit is a transaction
 * of two atomic statements on the key's row: an upsert that counts the hit (or starts a new window once the
 * old one or a block has ended, or leaves a blocked key alone), then a conditional UPDATE that starts a block
 * when the count passed the limit. The row lock taken by the upsert keeps the pair, and the read after it,
 * consistent across instances. Every expression in the upsert reads the row's old values only, so MySQL's
 * left-to-right ON DUPLICATE KEY UPDATE and SQLite's ON CONFLICT give the same answer. Times come from the
 * injectable clock (milliseconds), so tests can move time.
 */
@Injectable()
export class DbThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottleRecord> {
    const now = this.clock.now().getTime();
    return this.transactions.run(async (em) => {
      const insert = 'INSERT INTO throttle_counter (throttle_key, hits, window_ends_ms, blocked_until_ms) VALUES (?, 1, ?, 0)';
      // A block that has ended starts a fresh window, like the library's memory storage.
      const fresh = '(window_ends_ms <= ? OR (blocked_until_ms > 0 AND blocked_until_ms <= ?))';
      const set = `hits = CASE WHEN blocked_until_ms > ? THEN hits WHEN ${fresh} THEN 1 ELSE hits + 1 END,
        window_ends_ms = CASE WHEN blocked_until_ms > ? THEN window_ends_ms WHEN ${fresh} THEN ? ELSE window_ends_ms END`;
      await em.query(upsert(em, insert, { conflict: ['throttle_key'], set }), [key, now + ttl, now, now, now, now, now, now, now + ttl]);
      await em.query(
        'UPDATE throttle_counter SET blocked_until_ms = CASE WHEN hits > ? THEN ? ELSE 0 END' +
          ' WHERE throttle_key = ? AND blocked_until_ms <= ?',
        [limit, now + blockDuration, key, now],
      );
      return this.readWith(em, key, now);
    });
  }

  /** The key's state without counting a hit (null: never hit). */
  async peek(key: string): Promise<ThrottleRecord | null> {
    const rows = await this.dataSource.query('SELECT hits, window_ends_ms, blocked_until_ms FROM throttle_counter WHERE throttle_key = ?', [
      key,
    ]);
    return rows.length ? this.recordOf(rows[0], this.clock.now().getTime()) : null;
  }

  private async readWith(em: EntityManager, key: string, now: number): Promise<ThrottleRecord> {
    const [row] = await em.query('SELECT hits, window_ends_ms, blocked_until_ms FROM throttle_counter WHERE throttle_key = ?', [key]);
    return this.recordOf(row, now);
  }

  private recordOf(
    row: { hits: number | string; window_ends_ms: number | string; blocked_until_ms: number | string },
    now: number,
  ): ThrottleRecord {
    const blockedUntil = Number(row.blocked_until_ms);
    const isBlocked = blockedUntil > now;
    return {
      totalHits: Number(row.hits),
      timeToExpire: Math.max(0, Math.ceil((Number(row.window_ends_ms) - now) / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((blockedUntil - now) / 1000) : 0,
    };
  }
}
