import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 14, point 5 (staff bound to stores): a coupon redemption records the store it was made at, taken from
 * the clerk's account, so only that store's staff (or an admin) may reverse it. Rows written before this have
 * no store (NULL: unknown; the audit log may say, but it is not a source of truth); only admins may reverse
 * those. Same column on MariaDB and SQLite (TypeORM rebuilds the SQLite table to add it).
 */
export class RedemptionStore1763900000018 implements MigrationInterface {
  name = 'RedemptionStore1763900000018';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'coupon_redemption',
      new TableColumn({ name: 'store_code', type: 'varchar', length: '32', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('coupon_redemption', 'store_code');
  }
}
