import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16 (注销): a member can delete their account. The row stays, anonymised, so sales, points and coupons
 * keep pointing at it; `account_status` says it is gone (every session issued before is refused from then on)
 * and `deleted_at` when. Existing rows are active.
 */
export class AccountDeletion17639000000220 implements MigrationInterface {
  name = 'AccountDeletion17639000000220';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('member', [
      new TableColumn({ name: 'account_status', type: 'varchar', length: '16', default: "'active'" }),
      new TableColumn({ name: 'deleted_at', type: 'datetime', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('member', ['account_status', 'deleted_at']);
  }
}
