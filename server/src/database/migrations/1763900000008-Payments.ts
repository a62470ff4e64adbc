import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class Payments1763900000008 implements MigrationInterface {
  name = 'Payments1763900000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.createTable(
      new Table({
        name: 'pay_order',
        columns: [
          id,
          { name: 'out_trade_no', type: 'varchar', length: '32' },
          { name: 'member_id', type: 'int' },
          { name: 'openid', type: 'varchar', length: '64' },
          { name: 'idempotency_key', type: 'varchar', length: '64' },
          { name: 'store_code', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'gross_fen', type: 'int' },
          { name: 'coupon_id', type: 'int', isNullable: true },
          { name: 'redemption_id', type: 'int', isNullable: true },
          { name: 'coupon_discount_fen', type: 'int', default: 0 },
          { name: 'points_burned', type: 'int', default: 0 },
          { name: 'payable_fen', type: 'int' },
          { name: 'refund_committed_fen', type: 'int', default: 0 },
          { name: 'refunded_fen', type: 'int', default: 0 },
          { name: 'prepay_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'transaction_id', type: 'varchar', length: '32', isNullable: true },
          { name: 'purchase_id', type: 'int', isNullable: true },
          { name: 'flag_reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'created_at', type: 'datetime' },
          { name: 'expires_at', type: 'datetime' },
          { name: 'paid_at', type: 'datetime', isNullable: true },
          { name: 'closed_at', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_pay_order_out_trade_no', columnNames: ['out_trade_no'], isUnique: true }),
          // A checkout resent by the app answers the same order.
          new TableIndex({ name: 'uq_pay_order_idempotency', columnNames: ['member_id', 'idempotency_key'], isUnique: true }),
          // The reconciliation job reads pending orders oldest first.
          new TableIndex({ name: 'idx_pay_order_status', columnNames: ['status', 'created_at'] }),
          new TableIndex({ name: 'idx_pay_order_member', columnNames: ['member_id', 'id'] }),
        ],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'member', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pay_refund',
        columns: [
          id,
          { name: 'pay_order_id', type: 'int' },
          { name: 'out_refund_no', type: 'varchar', length: '64' },
          { name: 'amount_fen', type: 'int' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'reason', type: 'varchar', length: '80', isNullable: true },
          { name: 'refund_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'staff_openid', type: 'varchar', length: '64' },
          { name: 'failure', type: 'varchar', length: '200', isNullable: true },
          { name: 'purchase_refund_id', type: 'int', isNullable: true },
          { name: 'created_at', type: 'datetime' },
          { name: 'succeeded_at', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_pay_refund_no', columnNames: ['out_refund_no'], isUnique: true }),
          new TableIndex({ name: 'idx_pay_refund_order', columnNames: ['pay_order_id'] }),
          new TableIndex({ name: 'idx_pay_refund_status', columnNames: ['status', 'created_at'] }),
        ],
        foreignKeys: [{ columnNames: ['pay_order_id'], referencedTableName: 'pay_order', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('pay_refund');
    await queryRunner.dropTable('pay_order');
  }
}
