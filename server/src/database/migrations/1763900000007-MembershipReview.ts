import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class MembershipReview1763900000007 implements MigrationInterface {
  name = 'MembershipReview1763900000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    // When the review first saw the spend below the member's tier: the downgrade grace period counts from here.
    await queryRunner.addColumn('member', new TableColumn({ name: 'tier_below_since', type: 'datetime', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('member', 'tier_below_since');
  }
}
