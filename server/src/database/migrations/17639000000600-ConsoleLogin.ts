import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Issue 18: the desktop console's sign-in QR codes (扫码登录), one row per code shown. */
export class ConsoleLogin17639000000600 implements MigrationInterface {
  name = 'ConsoleLogin17639000000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'console_login_ticket',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'poll_secret_hash', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'client', type: 'varchar', length: '200' },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: 'datetime' },
          { name: 'expires_at', type: 'datetime' },
          { name: 'staff_id', type: 'int', isNullable: true },
          { name: 'member_id', type: 'int', isNullable: true },
          { name: 'staff_openid', type: 'varchar', length: '64', isNullable: true },
          { name: 'decided_at', type: 'datetime', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_console_login_ticket_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('console_login_ticket');
  }
}
