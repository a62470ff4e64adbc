import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 16 (templates edited while not live): a coupon template's terms may now change until it goes live, and
 * the claim path keeps a template for a couple of seconds per instance. `terms_version` goes up with every edit;
 * a claim flush reads it under the template's row lock and reads the row again when its copy is older, so no
 * coupon is ever written from terms that were edited away.
 */
export class TemplateTermsVersion17639000000240 implements MigrationInterface {
  name = 'TemplateTermsVersion17639000000240';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('coupon_template', new TableColumn({ name: 'terms_version', type: 'int', default: 1 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('coupon_template', 'terms_version');
  }
}
