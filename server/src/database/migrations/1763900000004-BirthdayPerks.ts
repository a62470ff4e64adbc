import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class BirthdayPerks1763900000004 implements MigrationInterface {
  name = 'BirthdayPerks1763900000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    // Set by the birthday job to the last second of the member's window; purchases double points until then.
    await queryRunner.addColumn('member', new TableColumn({ name: 'double_points_until', type: 'datetime', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'birthday_perk',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'year', type: 'int' },
          { name: 'coupon_id', type: 'int', isNullable: true },
          { name: 'double_points_until', type: 'datetime' },
          { name: 'created_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
        ],
        // One perk per member per year, whoever runs the job and however often.
        indices: [new TableIndex({ name: 'uq_birthday_perk_member_year', columnNames: ['member_id', 'year'], isUnique: true })],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'member', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'birthday_perk_checkpoint',
        columns: [
          id,
          { name: 'run_on', type: 'varchar', length: '10' },
          { name: 'first_member_id', type: 'int' },
          { name: 'last_member_id', type: 'int' },
          { name: 'perks_granted', type: 'int', default: 0 },
          { name: 'coupons_issued', type: 'int', default: 0 },
          { name: 'created_at', type: 'datetime', default: 'CURRENT_TIMESTAMP' },
        ],
        indices: [new TableIndex({ name: 'uq_birthday_checkpoint_chunk', columnNames: ['run_on', 'first_member_id'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('birthday_perk_checkpoint');
    await queryRunner.dropTable('birthday_perk');
    await queryRunner.dropColumn('member', 'double_points_until');
  }
}
