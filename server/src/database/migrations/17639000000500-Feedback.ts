import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 17, part 3 (service recovery, 投诉与反馈): members' cases with their first-response deadline, the
 * conversation, photos, and the goodwill grants (and admins' manual points adjustments) that resolve them.
 */
export class Feedback17639000000500 implements MigrationInterface {
  name = 'Feedback17639000000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    // MySQL's plain BLOB stops at 64 KB; MEDIUMBLOB holds 16 MB. SQLite has one BLOB type.
    const blob = queryRunner.connection.options.type === 'mysql' ? 'mediumblob' : 'blob';
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.createTable(
      new Table({
        name: 'feedback_case',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'category', type: 'varchar', length: '16' },
          { name: 'channel', type: 'varchar', length: '8' },
          { name: 'store_code', type: 'varchar', length: '32', isNullable: true },
          { name: 'order_ref', type: 'varchar', length: '48', isNullable: true },
          { name: 'text', type: 'varchar', length: '2000' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_by_staff_id', type: 'int', isNullable: true },
          { name: 'idempotency_key', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime' },
          { name: 'due_at', type: 'datetime' },
          { name: 'first_response_at', type: 'datetime', isNullable: true },
          { name: 'resolved_at', type: 'datetime', isNullable: true },
          { name: 'resolution', type: 'varchar', length: '500', isNullable: true },
          { name: 'resolved_by_staff_id', type: 'int', isNullable: true },
          { name: 'rating', type: 'int', isNullable: true },
          { name: 'rating_comment', type: 'varchar', length: '200', isNullable: true },
          { name: 'rated_at', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_feedback_case_key', columnNames: ['member_id', 'idempotency_key'], isUnique: true }),
          new TableIndex({ name: 'idx_feedback_case_member', columnNames: ['member_id', 'id'] }),
          new TableIndex({ name: 'idx_feedback_case_queue', columnNames: ['status', 'due_at'] }),
          new TableIndex({ name: 'idx_feedback_case_store', columnNames: ['store_code', 'status'] }),
          new TableIndex({ name: 'idx_feedback_case_created', columnNames: ['created_at'] }),
        ],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'member', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'feedback_message',
        columns: [
          id,
          { name: 'case_id', type: 'int' },
          { name: 'author', type: 'varchar', length: '8' },
          { name: 'staff_id', type: 'int', isNullable: true },
          { name: 'body', type: 'varchar', length: '2000' },
          { name: 'idempotency_key', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'uq_feedback_message_key', columnNames: ['case_id', 'idempotency_key'], isUnique: true })],
        foreignKeys: [{ columnNames: ['case_id'], referencedTableName: 'feedback_case', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'feedback_photo',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'case_id', type: 'int', isNullable: true },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'content_type', type: 'varchar', length: '32' },
          { name: 'bytes', type: blob },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'idx_feedback_photo_sha256', columnNames: ['sha256'] }),
          new TableIndex({ name: 'idx_feedback_photo_case', columnNames: ['case_id'] }),
          new TableIndex({ name: 'idx_feedback_photo_member', columnNames: ['member_id', 'case_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'goodwill_grant',
        columns: [
          id,
          { name: 'case_id', type: 'int', isNullable: true },
          { name: 'member_id', type: 'int' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'points', type: 'int' },
          { name: 'coupon_id', type: 'int', isNullable: true },
          { name: 'template_id', type: 'int', isNullable: true },
          { name: 'face_fen', type: 'int' },
          { name: 'reason', type: 'varchar', length: '200' },
          { name: 'staff_id', type: 'int' },
          { name: 'staff_role', type: 'varchar', length: '16' },
          { name: 'idempotency_key', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'uq_goodwill_grant_key', columnNames: ['staff_id', 'idempotency_key'], isUnique: true }),
          // NULLs (adjustments) never collide, on MySQL and SQLite alike: one goodwill per case.
          new TableIndex({ name: 'uq_goodwill_grant_case', columnNames: ['case_id'], isUnique: true }),
          new TableIndex({ name: 'idx_goodwill_grant_member', columnNames: ['member_id', 'id'] }),
          new TableIndex({ name: 'idx_goodwill_grant_created', columnNames: ['created_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['goodwill_grant', 'feedback_photo', 'feedback_message', 'feedback_case']) await queryRunner.dropTable(table);
  }
}
