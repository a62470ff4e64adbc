import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Where two operations meet on one sale (issue 14):
 * - `request_hash` on the rows an idempotency key creates (app orders, till purchases, redemptions): the same
 *   key with another payload is refused instead of silently answering a different request's result;
 * - `owner_kind` on a redemption made for an app order or a till purchase: only that sale's refund, cancel or
 *   expiry may undo it, never the standalone reverse;
 * - `flag_reason` on a WeChat Pay refund WeChat confirmed but that conflicts with our state (status `flagged`).
 */
export class SaleIntegrity1763900000012 implements MigrationInterface {
  name = 'SaleIntegrity1763900000012';

  async up(queryRunner: QueryRunner): Promise<void> {
    const hash = () => new TableColumn({ name: 'request_hash', type: 'varchar', length: '64', isNullable: true });
    await queryRunner.addColumn('pay_order', hash());
    await queryRunner.addColumn('purchase', hash());
    await queryRunner.addColumn('coupon_redemption', hash());
    await queryRunner.addColumn(
      'coupon_redemption',
      new TableColumn({ name: 'owner_kind', type: 'varchar', length: '16', isNullable: true }),
    );
    await queryRunner.addColumn('pay_refund', new TableColumn({ name: 'flag_reason', type: 'varchar', length: '200', isNullable: true }));
    // Redemptions already held by a sale become owned by it.
    await queryRunner.query(
      "UPDATE coupon_redemption SET owner_kind = 'pay_order'" +
        ' WHERE id IN (SELECT redemption_id FROM pay_order WHERE redemption_id IS NOT NULL)',
    );
    await queryRunner.query(
      "UPDATE coupon_redemption SET owner_kind = 'purchase'" +
        ' WHERE owner_kind IS NULL AND id IN (SELECT redemption_id FROM purchase WHERE redemption_id IS NOT NULL)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('pay_refund', 'flag_reason');
    await queryRunner.dropColumn('coupon_redemption', 'owner_kind');
    await queryRunner.dropColumn('coupon_redemption', 'request_hash');
    await queryRunner.dropColumn('purchase', 'request_hash');
    await queryRunner.dropColumn('pay_order', 'request_hash');
  }
}
