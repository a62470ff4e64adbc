import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class MemberAvatar1763900000001 implements MigrationInterface {
  name = 'MemberAvatar1763900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    // MySQL's plain BLOB stops at 64 KB; MEDIUMBLOB holds 16 MB. SQLite has one BLOB type.
    const blob = queryRunner.connection.options.type === 'mysql' ? 'mediumblob' : 'blob';
    await queryRunner.createTable(
      new Table({
        name: 'member_avatar',
        columns: [
          { name: 'member_id', type: 'integer', isPrimary: true },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'content_type', type: 'varchar', length: '32' },
          { name: 'bytes', type: blob },
          { name: 'updated_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
        ],
        indices: [new TableIndex({ name: 'idx_member_avatar_sha256', columnNames: ['sha256'] })],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'member', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('member_avatar');
  }
}
