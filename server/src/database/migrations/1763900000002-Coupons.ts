import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class Coupons1763900000002 implements MigrationInterface {
  name = 'Coupons1763900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    const timestamps = [
      { name: 'created_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
      { name: 'updated_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
    ];
    await queryRunner.createTable(
      new Table({
        name: 'coupon_template',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '40' },
          { name: 'description', type: 'varchar', length: '200', isNullable: true },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'value_fen', type: 'int', isNullable: true },
          { name: 'threshold_fen', type: 'int', default: 0 },
          { name: 'percent_permille', type: 'int', isNullable: true },
          { name: 'cap_fen', type: 'int', isNullable: true },
          { name: 'gift_name', type: 'varchar', length: '40', isNullable: true },
          { name: 'stacks_with_member_discount', type: 'boolean', default: false },
          { name: 'total_stock', type: 'int' },
          { name: 'claimed_count', type: 'int', default: 0 },
          { name: 'redeemed_count', type: 'int', default: 0 },
          { name: 'per_member_limit', type: 'int' },
          { name: 'validity_type', type: 'varchar', length: '16' },
          { name: 'valid_from', type: 'datetime', isNullable: true },
          { name: 'valid_until', type: 'datetime', isNullable: true },
          { name: 'valid_days', type: 'int', isNullable: true },
          { name: 'claim_starts_at', type: 'datetime' },
          { name: 'claim_ends_at', type: 'datetime' },
          { name: 'audience', type: 'varchar', length: '16' },
          { name: 'audience_tiers', type: 'varchar', length: '64', isNullable: true },
          { name: 'status', type: 'varchar', length: '16', default: "'active'" },
          ...timestamps,
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'coupon',
        columns: [
          id,
          { name: 'template_id', type: 'int' },
          { name: 'member_id', type: 'int' },
          { name: 'seq', type: 'int' },
          { name: 'code', type: 'varchar', length: '20' },
          { name: 'status', type: 'varchar', length: '16', default: "'available'" },
          { name: 'valid_from', type: 'datetime' },
          { name: 'valid_until', type: 'datetime' },
          { name: 'idempotency_key', type: 'varchar', length: '64', isNullable: true },
          { name: 'claimed_at', type: 'datetime' },
          { name: 'redeemed_at', type: 'datetime', isNullable: true },
          ...timestamps,
        ],
        indices: [
          new TableIndex({ name: 'uq_coupon_claim', columnNames: ['template_id', 'member_id', 'seq'], isUnique: true }),
          new TableIndex({ name: 'uq_coupon_idempotency', columnNames: ['member_id', 'idempotency_key'], isUnique: true }),
          new TableIndex({ name: 'uq_coupon_code', columnNames: ['code'], isUnique: true }),
          new TableIndex({ name: 'idx_coupon_wallet', columnNames: ['member_id', 'status', 'valid_until'] }),
          new TableIndex({ name: 'idx_coupon_expiry', columnNames: ['status', 'valid_until'] }),
        ],
        // No foreign key to coupon_template on purpose: its check share-locks the hot template row inside
        // every claim (see CouponIssuer). Only CouponIssuer writes template_id, from a template row its caller read.
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'member', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'coupon_redemption',
        columns: [
          id,
          { name: 'coupon_id', type: 'int' },
          { name: 'member_id', type: 'int' },
          { name: 'staff_openid', type: 'varchar', length: '64' },
          { name: 'idempotency_key', type: 'varchar', length: '64', isNullable: true },
          { name: 'order_amount_fen', type: 'int' },
          { name: 'discount_fen', type: 'int' },
          { name: 'payable_fen', type: 'int' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'redeemed_at', type: 'datetime' },
          { name: 'reversed_at', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_redemption_idempotency', columnNames: ['staff_openid', 'idempotency_key'], isUnique: true }),
          new TableIndex({ name: 'idx_redemption_coupon', columnNames: ['coupon_id'] }),
        ],
        foreignKeys: [{ columnNames: ['coupon_id'], referencedTableName: 'coupon', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'job_run',
        columns: [
          id,
          { name: 'job', type: 'varchar', length: '64' },
          { name: 'period', type: 'varchar', length: '32' },
          { name: 'started_at', type: 'datetime' },
          { name: 'finished_at', type: 'datetime', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '200', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'uq_job_run', columnNames: ['job', 'period'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['job_run', 'coupon_redemption', 'coupon', 'coupon_template']) await queryRunner.dropTable(table);
  }
}
