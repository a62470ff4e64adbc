import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16 (the till's sales history and today's summary): a store's sales of one business day, newest first and
 * paged by id, and its coupon redemptions of that day are read by store and time; these indexes keep both to a
 * range scan instead of reading every sale.
 */
export class SalesByStoreDay17639000000230 implements MigrationInterface {
  name = 'SalesByStoreDay17639000000230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'purchase',
      new TableIndex({ name: 'idx_purchase_store_time', columnNames: ['store_code', 'purchased_at', 'id'] }),
    );
    await queryRunner.createIndex(
      'coupon_redemption',
      new TableIndex({ name: 'idx_redemption_store_time', columnNames: ['store_code', 'redeemed_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('coupon_redemption', 'idx_redemption_store_time');
    await queryRunner.dropIndex('purchase', 'idx_purchase_store_time');
  }
}
