import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class PointsShop1763900000006 implements MigrationInterface {
  name = 'PointsShop1763900000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('coupon_template', new TableColumn({ name: 'points_price', type: 'int', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('coupon_template', 'points_price');
  }
}
