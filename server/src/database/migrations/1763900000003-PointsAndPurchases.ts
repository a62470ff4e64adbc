import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class PointsAndPurchases1763900000003 implements MigrationInterface {
  name = 'PointsAndPurchases1763900000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    const memberFk = { columnNames: ['member_id'], referencedTableName: 'member', referencedColumnNames: ['id'] };
    await queryRunner.addColumn('member', new TableColumn({ name: 'last_purchase_at', type: 'datetime', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'purchase',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'staff_openid', type: 'varchar', length: '64' },
          { name: 'idempotency_key', type: 'varchar', length: '64' },
          { name: 'store_code', type: 'varchar', length: '32' },
          { name: 'gross_fen', type: 'int' },
          { name: 'coupon_id', type: 'int', isNullable: true },
          { name: 'redemption_id', type: 'int', isNullable: true },
          { name: 'coupon_discount_fen', type: 'int', default: 0 },
          { name: 'points_burned', type: 'int', default: 0 },
          { name: 'paid_fen', type: 'int' },
          { name: 'refunded_fen', type: 'int', default: 0 },
          { name: 'points_earned', type: 'int', default: 0 },
          { name: 'bonus_permille', type: 'int', default: 1000 },
          { name: 'purchased_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'uq_purchase_idempotency', columnNames: ['staff_openid', 'idempotency_key'], isUnique: true }),
          new TableIndex({ name: 'idx_purchase_member_time', columnNames: ['member_id', 'purchased_at'] }),
        ],
        foreignKeys: [memberFk],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'purchase_refund',
        columns: [
          id,
          { name: 'purchase_id', type: 'int' },
          { name: 'refund_no', type: 'varchar', length: '64' },
          { name: 'amount_fen', type: 'int' },
          { name: 'points_clawed', type: 'int' },
          { name: 'points_shortfall', type: 'int', default: 0 },
          { name: 'points_restored', type: 'int' },
          { name: 'coupon_restored', type: 'boolean', default: false },
          { name: 'staff_openid', type: 'varchar', length: '64' },
          { name: 'refunded_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'uq_purchase_refund_no', columnNames: ['purchase_id', 'refund_no'], isUnique: true })],
        foreignKeys: [{ columnNames: ['purchase_id'], referencedTableName: 'purchase', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'points_ledger',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'delta', type: 'int' },
          { name: 'balance_after', type: 'int' },
          { name: 'reason', type: 'varchar', length: '16' },
          { name: 'source_key', type: 'varchar', length: '80' },
          { name: 'purchase_id', type: 'int', isNullable: true },
          { name: 'expires_at', type: 'datetime', isNullable: true },
          { name: 'created_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
        ],
        indices: [
          new TableIndex({ name: 'uq_points_source', columnNames: ['source_key'], isUnique: true }),
          new TableIndex({ name: 'idx_points_ledger_member', columnNames: ['member_id', 'id'] }),
        ],
        foreignKeys: [memberFk],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'points_lot',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'ledger_id', type: 'int' },
          { name: 'points', type: 'int' },
          { name: 'remaining', type: 'int' },
          { name: 'expires_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'idx_points_lot_member', columnNames: ['member_id', 'expires_at'] }),
          new TableIndex({ name: 'idx_points_lot_expiry', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [memberFk],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['points_lot', 'points_ledger', 'purchase_refund', 'purchase']) await queryRunner.dropTable(table);
    await queryRunner.dropColumn('member', 'last_purchase_at');
  }
}
