import { TableCheck, type MigrationInterface, type QueryRunner } from 'typeorm';

const CHECK = 'chk_coupon_template_claimed_within_stock';
const EXPRESSION = 'claimed_count >= 0 AND claimed_count <= total_stock';

/**
 * Issue 19: the database itself refuses a template whose claimed count passes its stock. Every path already
 * takes stock by a conditional UPDATE; this is the last guard under the write-combined flash claims, as the
 * unique keys are for the per-member limit and retries. MariaDB (10.2+) and MySQL (8.0.16+) enforce CHECK;
 * TypeORM's MySQL runner does not speak CHECK, so it is plain DDL there. SQLite cannot add a constraint to a
 * table in place: TypeORM rebuilds the table with it (copying rows and indices).
 */
export class ClaimedWithinStock1763900000015 implements MigrationInterface {
  name = 'ClaimedWithinStock1763900000015';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      await queryRunner.query(`ALTER TABLE coupon_template ADD CONSTRAINT ${CHECK} CHECK (${EXPRESSION})`);
    } else {
      await queryRunner.createCheckConstraint('coupon_template', new TableCheck({ name: CHECK, expression: EXPRESSION }));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      // MariaDB names it a CONSTRAINT, MySQL 8 a CHECK; DROP CONSTRAINT works on both.
      await queryRunner.query(`ALTER TABLE coupon_template DROP CONSTRAINT ${CHECK}`);
    } else {
      await queryRunner.dropCheckConstraint('coupon_template', CHECK);
    }
  }
}
