import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class Campaigns1763900000011 implements MigrationInterface {
  name = 'Campaigns1763900000011';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.createTable(
      new Table({
        name: 'campaign',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '40' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'filter', type: 'text' },
          { name: 'coupon_template_id', type: 'int', isNullable: true },
          { name: 'points', type: 'int', default: 0 },
          { name: 'message_kind', type: 'varchar', length: '24', isNullable: true },
          { name: 'offer_text', type: 'varchar', length: '40', isNullable: true },
          { name: 'schedule', type: 'varchar', length: '16' },
          { name: 'starts_at', type: 'datetime', isNullable: true },
          { name: 'dormant_days', type: 'int', isNullable: true },
          { name: 'days_before', type: 'int', isNullable: true },
          { name: 'holdout_permille', type: 'int', default: 0 },
          { name: 'idempotency_key', type: 'varchar', length: '64' },
          { name: 'created_by', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime' },
          { name: 'launched_at', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_campaign_idempotency', columnNames: ['idempotency_key'], isUnique: true }),
          new TableIndex({ name: 'idx_campaign_status', columnNames: ['status'] }),
        ],
        foreignKeys: [{ columnNames: ['coupon_template_id'], referencedTableName: 'coupon_template', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_run',
        columns: [
          id,
          { name: 'campaign_id', type: 'int' },
          { name: 'period', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'as_of', type: 'datetime' },
          { name: 'next_member_id', type: 'int', default: 0 },
          { name: 'last_member_id', type: 'int', default: 0 },
          { name: 'targeted', type: 'int', default: 0 },
          { name: 'held_out', type: 'int', default: 0 },
          { name: 'coupons_issued', type: 'int', default: 0 },
          { name: 'coupons_short', type: 'int', default: 0 },
          { name: 'points_granted', type: 'int', default: 0 },
          { name: 'messages_queued', type: 'int', default: 0 },
          { name: 'messages_no_grant', type: 'int', default: 0 },
          { name: 'started_at', type: 'datetime' },
          { name: 'finished_at', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_campaign_run_period', columnNames: ['campaign_id', 'period'], isUnique: true }),
          new TableIndex({ name: 'idx_campaign_run_status', columnNames: ['status'] }),
        ],
        foreignKeys: [{ columnNames: ['campaign_id'], referencedTableName: 'campaign', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_member',
        columns: [
          { name: 'run_id', type: 'int', isPrimary: true },
          { name: 'member_id', type: 'int', isPrimary: true },
          { name: 'holdout', type: 'boolean' },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'idx_campaign_member_member', columnNames: ['member_id'] })],
        // No foreign keys: a run of a million members inserts a million rows; the run and the members outlive them.
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('campaign_member');
    await queryRunner.dropTable('campaign_run');
    await queryRunner.dropTable('campaign');
  }
}
