import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * staff_invite.stores holds the invite's store codes joined by commas. An invite may name up to 100 stores of up
 * to 32 characters each (staff-admin.dto.ts), 3,299 characters joined; the column held 400, so an invite for a
 * regional manager of some 50 stores failed on MySQL ("Data too long"), where SQLite, which does not enforce a
 * VARCHAR's length, kept it. SQLite has nothing to change.
 */
export class InviteStoresWide17639000001200 implements MigrationInterface {
  name = 'InviteStoresWide17639000001200';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql')
      await queryRunner.query('ALTER TABLE staff_invite MODIFY stores VARCHAR(3300) NOT NULL');
  }

  /** Refused by MySQL if an invite's stores are longer than 400 characters by then. */
  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql')
      await queryRunner.query('ALTER TABLE staff_invite MODIFY stores VARCHAR(400) NOT NULL');
  }
}
