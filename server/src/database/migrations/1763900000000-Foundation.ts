import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Written with TypeORM's schema builder rather than raw SQL, so the one migration history runs on MySQL
 * (production, MariaDB in tests) and on the embedded SQLite file alike.
 */
export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    const timestamps = [
      { name: 'created_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
      { name: 'updated_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
    ];
    await queryRunner.createTable(
      new Table({
        name: 'member',
        columns: [
          id,
          { name: 'openid', type: 'varchar', length: '64' },
          { name: 'unionid', type: 'varchar', length: '64', isNullable: true },
          { name: 'nickname', type: 'varchar', length: '64', isNullable: true },
          { name: 'avatar_url', type: 'varchar', length: '512', isNullable: true },
          { name: 'phone_cipher', type: 'varchar', length: '255', isNullable: true },
          { name: 'phone_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'phone_masked', type: 'varchar', length: '20', isNullable: true },
          { name: 'privacy_policy_version', type: 'varchar', length: '32', isNullable: true },
          { name: 'privacy_accepted_at', type: 'datetime', isNullable: true },
          { name: 'joined_at', type: 'datetime', isNullable: true },
          { name: 'birthday', type: 'varchar', length: '10', isNullable: true },
          { name: 'birthday_month', type: 'smallint', isNullable: true },
          { name: 'birthday_day', type: 'smallint', isNullable: true },
          { name: 'birthday_set_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'tier', type: 'varchar', length: '16', default: "'normal'" },
          { name: 'lifecycle_status', type: 'varchar', length: '16', default: "'new'" },
          { name: 'points_balance', type: 'int', default: 0 },
          { name: 'version', type: 'int' },
          ...timestamps,
        ],
        indices: [
          new TableIndex({ name: 'uq_member_openid', columnNames: ['openid'], isUnique: true }),
          new TableIndex({ name: 'uq_member_phone_hash', columnNames: ['phone_hash'], isUnique: true }),
          new TableIndex({ name: 'idx_member_birthday', columnNames: ['birthday_month', 'birthday_day'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'staff_member',
        columns: [
          id,
          { name: 'openid', type: 'varchar', length: '64' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'name', type: 'varchar', length: '32', isNullable: true },
          { name: 'source', type: 'varchar', length: '16' },
          ...timestamps,
        ],
        indices: [new TableIndex({ name: 'uq_staff_openid', columnNames: ['openid'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('staff_member');
    await queryRunner.dropTable('member');
  }
}
