import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every idempotency key a client or a clerk chooses, with whether its column may be NULL. Each is part of a
 * unique key, (member, key) or (staff, key) or the key alone.
 */
const IDEMPOTENCY_KEY_COLUMNS: ReadonlyArray<{ table: string; nullable: boolean }> = [
  { table: 'coupon', nullable: true },
  { table: 'coupon_redemption', nullable: true },
  { table: 'purchase', nullable: false },
  { table: 'pay_order', nullable: false },
  { table: 'message_subscribe_report', nullable: false },
  { table: 'campaign', nullable: false },
  { table: 'feedback_case', nullable: false },
  { table: 'feedback_message', nullable: false },
  { table: 'goodwill_grant', nullable: false },
];

/** Exact comparison on MySQL 8 and MariaDB alike (PAD SPACE, which no valid key can notice: keys are [\w-]{8,64}). */
const EXACT_KEY_COLLATION = 'utf8mb4_bin';

/**
 * Idempotency keys compare exactly on MySQL, as they already do on the embedded SQLite (BINARY) and in the code
 * (a retried key is matched in Maps and Sets of strings). The tables' collation, utf8mb4_unicode_ci, made
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
    for (const { table, nullable } of IDEMPOTENCY_KEY_COLUMNS) {
      const column = `VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${collation} ${nullable ? 'NULL' : 'NOT NULL'}`;
      await queryRunner.query(`ALTER TABLE \`${table}\` MODIFY \`idempotency_key\` ${column}`);
    }
  }
}
