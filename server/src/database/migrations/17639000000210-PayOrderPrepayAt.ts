import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16 (resume an unpaid order): when the order's prepay_id was issued. WeChat keeps a prepay_id for 2 hours
 * and an order payable until its time_expire (up to 7 days here), so a member resuming an older order needs a
 * prepay asked again for the same order. Rows from before: NULL, read as issued when the order was created.
 */
export class PayOrderPrepayAt17639000000210 implements MigrationInterface {
  name = 'PayOrderPrepayAt17639000000210';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('pay_order', new TableColumn({ name: 'prepay_at', type: 'datetime', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('pay_order', 'prepay_at');
  }
}
