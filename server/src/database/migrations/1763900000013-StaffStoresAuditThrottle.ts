import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14, points 5-7: stores and the staff accounts bound to them, the clerk's short-lived access to a
 * member, the append-only audit log, the shared rate-limit counters, and BIGINT for the numbers that grow
 * with a member's history.
 */
export class StaffStoresAuditThrottle1763900000013 implements MigrationInterface {
  name = 'StaffStoresAuditThrottle1763900000013';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.createTable(
      new Table({
        name: 'store',
        columns: [
          { name: 'code', type: 'varchar', length: '32', isPrimary: true },
          { name: 'name', type: 'varchar', length: '40' },
          { name: 'status', type: 'varchar', length: '16', default: "'active'" },
          { name: 'created_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
          { name: 'updated_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'staff_store',
        columns: [
          { name: 'staff_id', type: 'int', isPrimary: true },
          { name: 'store_code', type: 'varchar', length: '32', isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ['staff_id'], referencedTableName: 'staff_member', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['store_code'], referencedTableName: 'store', referencedColumnNames: ['code'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'member_access_grant',
        columns: [
          { name: 'staff_id', type: 'int', isPrimary: true },
          { name: 'member_id', type: 'int', isPrimary: true },
          { name: 'expires_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'idx_member_access_grant_expiry', columnNames: ['expires_at'] })],
        foreignKeys: [
          { columnNames: ['staff_id'], referencedTableName: 'staff_member', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'at', type: 'datetime' },
          { name: 'staff_id', type: 'int', isNullable: true },
          { name: 'staff_openid', type: 'varchar', length: '64' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'store_code', type: 'varchar', length: '32', isNullable: true },
          { name: 'action', type: 'varchar', length: '48' },
          { name: 'outcome', type: 'varchar', length: '48' },
          { name: 'target', type: 'varchar', length: '64', isNullable: true },
          { name: 'member_id', type: 'int', isNullable: true },
          { name: 'amount_fen', type: 'bigint', isNullable: true },
          { name: 'points', type: 'bigint', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'idx_audit_log_staff', columnNames: ['staff_openid', 'id'] }),
          new TableIndex({ name: 'idx_audit_log_store', columnNames: ['store_code', 'id'] }),
          new TableIndex({ name: 'idx_audit_log_action', columnNames: ['action', 'id'] }),
        ],
      }),
    );
    // Rate-limit counters shared by every instance: one row per key, changed only by atomic upserts.
    await queryRunner.createTable(
      new Table({
        name: 'throttle_counter',
        columns: [
          { name: 'throttle_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'hits', type: 'int' },
          { name: 'window_ends_ms', type: 'bigint' },
          { name: 'blocked_until_ms', type: 'bigint', default: 0 },
        ],
        indices: [new TableIndex({ name: 'idx_throttle_counter_window', columnNames: ['window_ends_ms'] })],
      }),
    );
    // A member's balance and the ledger's running balance grow with their whole history: INT overflowed
    // (MariaDB strict mode refuses the UPDATE, a 500) after ~2.1e9 points. SQLite's INTEGER is already 64-bit.
    if (mysql) {
      await queryRunner.query('ALTER TABLE member MODIFY points_balance BIGINT NOT NULL DEFAULT 0');
      await queryRunner.query('ALTER TABLE points_ledger MODIFY delta BIGINT NOT NULL, MODIFY balance_after BIGINT NOT NULL');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      await queryRunner.query('ALTER TABLE points_ledger MODIFY delta INT NOT NULL, MODIFY balance_after INT NOT NULL');
      await queryRunner.query('ALTER TABLE member MODIFY points_balance INT NOT NULL DEFAULT 0');
    }
    for (const table of ['throttle_counter', 'audit_log', 'member_access_grant', 'staff_store', 'store'])
      await queryRunner.dropTable(table);
  }
}
