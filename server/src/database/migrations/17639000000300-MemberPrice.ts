import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 17 (member price, actually applied): a sale records the member price it was priced with — what it took
 * off (`member_discount_fen`) and the per-mille applied (`member_price_permille`, 1000 = none) — on both sale
 * tables, so a refund or a settlement never re-reads the member's tier. A till refund records its share of each
 * step of the price. Older rows had no member price: 0 / 1000, and shares of 0 (their gross share is unknown).
 */
export class MemberPrice17639000000300 implements MigrationInterface {
  name = 'MemberPrice17639000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['purchase', 'pay_order']) {
      await queryRunner.addColumn(table, new TableColumn({ name: 'member_discount_fen', type: 'int', default: 0 }));
      await queryRunner.addColumn(table, new TableColumn({ name: 'member_price_permille', type: 'int', default: 1000 }));
    }
    for (const column of ['gross_share_fen', 'member_discount_share_fen', 'coupon_discount_share_fen'])
      await queryRunner.addColumn('purchase_refund', new TableColumn({ name: column, type: 'int', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['coupon_discount_share_fen', 'member_discount_share_fen', 'gross_share_fen'])
      await queryRunner.dropColumn('purchase_refund', column);
    for (const table of ['pay_order', 'purchase']) {
      await queryRunner.dropColumn(table, 'member_price_permille');
      await queryRunner.dropColumn(table, 'member_discount_fen');
    }
  }
}
