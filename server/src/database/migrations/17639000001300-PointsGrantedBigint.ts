import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The running totals of points a campaign run and a purchase rule have given grow with every member and every sale,
 * each within its limits: a campaign of 100,000 points to each of 21,475 members, or a rule of 100,000 points a sale
 * with no points budget, passes INT's 2,147,483,647. MySQL then refuses the UPDATE (strict mode): the campaign's
 * chunk rolled back on every pass of the scheduler, and the rule, which fires in the sale's own transaction, made
 * every matching sale fail. BIGINT, as member.points_balance became; SQLite's INTEGER is already 64-bit.
 */
export class PointsGrantedBigint17639000001300 implements MigrationInterface {
  name = 'PointsGrantedBigint17639000001300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.points(queryRunner, 'BIGINT');
  }

  /** Refused by MySQL if a total is past INT by then. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await this.points(queryRunner, 'INT');
  }

  private async points(queryRunner: QueryRunner, type: 'BIGINT' | 'INT'): Promise<void> {
    if (queryRunner.connection.options.type !== 'mysql') return;
    for (const table of ['campaign_run', 'purchase_rule'])
      await queryRunner.query(`ALTER TABLE ${table} MODIFY points_granted ${type} NOT NULL DEFAULT 0`);
  }
}
