import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: staff invites by QR code (邀请员工), a staff account that can be disabled (停用) without losing who it
 * was, and the versions of the runtime settings HQ changes from the console (设置).
 */
export class StaffInvitesSettings17639000000800 implements MigrationInterface {
  name = 'StaffInvitesSettings17639000000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.addColumn('staff_member', new TableColumn({ name: 'disabled_at', type: 'datetime', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'staff_invite',
        columns: [
          id,
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'stores', type: 'varchar', length: '400' },
          { name: 'name', type: 'varchar', length: '32', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_by_staff_id', type: 'int' },
          { name: 'created_by_name', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: 'datetime' },
          { name: 'expires_at', type: 'datetime' },
          { name: 'accepted_staff_id', type: 'int', isNullable: true },
          { name: 'accepted_openid', type: 'varchar', length: '64', isNullable: true },
          { name: 'decided_at', type: 'datetime', isNullable: true },
          { name: 'revoked_by_staff_id', type: 'int', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_staff_invite_token', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'idx_staff_invite_created', columnNames: ['created_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'setting_version',
        columns: [
          id,
          { name: 'setting_key', type: 'varchar', length: '64' },
          { name: 'version', type: 'int' },
          { name: 'value_json', type: 'text' },
          { name: 'reason', type: 'varchar', length: '200' },
          { name: 'changed_by_staff_id', type: 'int' },
          { name: 'changed_by_name', type: 'varchar', length: '32', isNullable: true },
          { name: 'changed_at', type: 'datetime' },
          { name: 'reverted_from', type: 'int', isNullable: true },
        ],
        // One row per (key, version): two changes made at once from the same version cannot both land.
        indices: [new TableIndex({ name: 'uq_setting_version', columnNames: ['setting_key', 'version'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('setting_version');
    await queryRunner.dropTable('staff_invite');
    await queryRunner.dropColumn('staff_member', 'disabled_at');
  }
}
