import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Rows a backfill statement touches: short transactions, so a live table is never locked for long. */
const BACKFILL_CHUNK = 50_000;

/**
 * Issue 18 (console member search): the member's last four phone digits in a column of their own with an index,
 * because the number is stored only as ciphertext, keyed hash and mask, and `phone_masked LIKE '%1234'` reads
 * every row. Also an index on the nickname (prefix search walks it) and one on the audit log's member, for a
 * member's 操作记录.
 *
 * Backfill from the mask: a mainland number (11 digits) is masked "138****8000" and keeps its last four digits;
 * a shorter foreign number keeps only two and stays null (it is found by its full number). Chunked by id ranges,
 * plain SUBSTR on both databases.
 */
export class MemberSearch17639000000900 implements MigrationInterface {
  name = 'MemberSearch17639000000900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('member', new TableColumn({ name: 'phone_last4', type: 'varchar', length: '4', isNullable: true }));
    await backfillPhoneLast4(queryRunner);
    await queryRunner.createIndex('member', new TableIndex({ name: 'idx_member_phone_last4', columnNames: ['phone_last4', 'id'] }));
    await queryRunner.createIndex('member', new TableIndex({ name: 'idx_member_nickname', columnNames: ['nickname', 'id'] }));
    await queryRunner.createIndex('audit_log', new TableIndex({ name: 'idx_audit_log_member', columnNames: ['member_id', 'id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_log', 'idx_audit_log_member');
    await queryRunner.dropIndex('member', 'idx_member_nickname');
    await queryRunner.dropIndex('member', 'idx_member_phone_last4');
    await queryRunner.dropColumn('member', 'phone_last4');
  }
}

/** Fills phone_last4 from the mask where it is missing, one id range at a time (also run alone by its test). */
export async function backfillPhoneLast4(queryRunner: Pick<QueryRunner, 'query'>): Promise<void> {
  const [bounds]: Array<{ low: number | string | null; high: number | string | null }> = await queryRunner.query(
    'SELECT MIN(id) AS low, MAX(id) AS high FROM member',
  );
  if (bounds?.low !== null && bounds?.low !== undefined) {
    for (let from = Number(bounds.low); from <= Number(bounds.high); from += BACKFILL_CHUNK) {
      await queryRunner.query(
        `UPDATE member SET phone_last4 = SUBSTR(phone_masked, -4)
          WHERE id >= ? AND id < ? AND phone_masked LIKE '%****____' AND phone_hash IS NOT NULL AND phone_last4 IS NULL`,
        [from, from + BACKFILL_CHUNK],
      );
    }
  }
}
