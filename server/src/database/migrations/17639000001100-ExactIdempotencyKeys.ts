import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every key a client or a clerk chooses, and the columns built from one, with their length and whether they may
 * be NULL. Each is part of a unique key: (member, key), (staff, key), (purchase, refund number) or the key alone.
 */
const KEY_COLUMNS: ReadonlyArray<{ table: string; column: string; length: number; nullable: boolean }> = [
  { table: 'coupon', column: 'idempotency_key', length: 64, nullable: true },
  { table: 'coupon_redemption', column: 'idempotency_key', length: 64, nullable: true },
  { table: 'purchase', column: 'idempotency_key', length: 64, nullable: false },
  { table: 'pay_order', column: 'idempotency_key', length: 64, nullable: false },
  { table: 'message_subscribe_report', column: 'idempotency_key', length: 64, nullable: false },
  { table: 'campaign', column: 'idempotency_key', length: 64, nullable: false },
  { table: 'feedback_case', column: 'idempotency_key', length: 64, nullable: false },
  { table: 'feedback_message', column: 'idempotency_key', length: 64, nullable: false },
  { table: 'goodwill_grant', column: 'idempotency_key', length: 64, nullable: false },
  // Refund numbers are the till's and the app's keys for a refund (a resent one is a replay).
  { table: 'purchase_refund', column: 'refund_no', length: 64, nullable: false },
  { table: 'pay_refund', column: 'out_refund_no', length: 64, nullable: false },
  // An outbox dedupe key may embed a key (a feedback reply's): compared without case, a second reply's reminder was lost.
  { table: 'message_outbox', column: 'dedupe_key', length: 128, nullable: false },
];

/** Exact comparison on MySQL 8 and MariaDB alike (PAD SPACE, which none of these can notice: none ends in a space). */
const EXACT_KEY_COLLATION = 'utf8mb4_bin';

/**
 * Idempotency keys (and refund numbers, and the dedupe keys built from keys) compare exactly on MySQL, as they
 * already do on the embedded SQLite (BINARY) and in the code (a retried key is matched in Maps and Sets of
 * strings). The tables' collation, utf8mb4_unicode_ci, made
 * `Abcd-1234` and `abcd-1234` one key to the unique indexes and another to the code: a member who sent both on
 * one template made the write-combined flash claim's INSERT fail on uq_coupon_idempotency four times running,
 * and every other member's tap in that flush was answered with an error. Now two keys differing in case are two
 * requests everywhere, on both databases. Changing a column's collation rebuilds its table (and the unique index
 * on it): on a large production database, run it in a quiet hour.
 */
export class ExactIdempotencyKeys17639000001100 implements MigrationInterface {
  name = 'ExactIdempotencyKeys17639000001100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.collate(queryRunner, EXACT_KEY_COLLATION);
  }

  /** Back to the tables' collation: refused by a unique index if two keys differing only in case were stored meanwhile. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await this.collate(queryRunner, 'utf8mb4_unicode_ci');
  }

  private async collate(queryRunner: QueryRunner, collation: string): Promise<void> {
    // SQLite compares text with BINARY unless told otherwise: nothing to change there.
    if (queryRunner.connection.options.type !== 'mysql') return;
    for (const { table, column, length, nullable } of KEY_COLUMNS) {
      const definition = `VARCHAR(${length}) CHARACTER SET utf8mb4 COLLATE ${collation} ${nullable ? 'NULL' : 'NOT NULL'}`;
      await queryRunner.query(`ALTER TABLE \`${table}\` MODIFY \`${column}\` ${definition}`);
    }
  }
}
