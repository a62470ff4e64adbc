import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18, part 1 (metrics): the daily snapshot tables the dashboards read, the monthly RFM segment history
 * (member_rfm keeps only the current segment) and the per-day lock row. Keys are natural (day, store, metric …):
 * re-running a day rewrites the same rows.
 */
export class Metrics17639000000700 implements MigrationInterface {
  name = 'Metrics17639000000700';

  async up(queryRunner: QueryRunner): Promise<void> {
    const day = { name: 'day', type: 'varchar', length: '10', isPrimary: true };
    const month = { name: 'month', type: 'varchar', length: '7', isPrimary: true };
    const int = (name: string) => ({ name, type: 'int' });
    const big = (name: string) => ({ name, type: 'bigint' });
    await queryRunner.createTable(
      new Table({
        name: 'metric_day',
        columns: [
          { name: 'store_code', type: 'varchar', length: '32', isPrimary: true },
          day,
          { name: 'metric', type: 'varchar', length: '48', isPrimary: true },
          big('value'),
        ],
        indices: [new TableIndex({ name: 'idx_metric_day_day', columnNames: ['day'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'metric_coupon_day',
        columns: [
          day,
          { name: 'dimension', type: 'varchar', length: '16', isPrimary: true },
          { name: 'ref_id', type: 'int', isPrimary: true },
          int('issued'),
          int('redeemed'),
          int('expired'),
          big('discount_fen'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'metric_message_day',
        columns: [
          day,
          { name: 'kind', type: 'varchar', length: '24', isPrimary: true },
          { name: 'outcome', type: 'varchar', length: '40', isPrimary: true },
          int('messages'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'metric_campaign_day',
        columns: [
          day,
          { name: 'run_id', type: 'int', isPrimary: true },
          int('campaign_id'),
          int('treated'),
          int('holdout'),
          big('treated_revenue_fen'),
          big('holdout_revenue_fen'),
          big('discount_fen'),
          big('points_cost_fen'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'member_segment_month',
        columns: [month, { name: 'member_id', type: 'int', isPrimary: true }, { name: 'segment', type: 'varchar', length: '24' }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'metric_segment_migration',
        columns: [
          month,
          { name: 'from_segment', type: 'varchar', length: '24', isPrimary: true },
          { name: 'to_segment', type: 'varchar', length: '24', isPrimary: true },
          int('members'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'metric_cohort',
        columns: [{ name: 'cohort', type: 'varchar', length: '7', isPrimary: true }, month, int('members'), int('retained')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'metric_snapshot',
        columns: [day, { name: 'computed_at', type: 'datetime' }, int('took_ms')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'metric_snapshot',
      'metric_cohort',
      'metric_segment_migration',
      'member_segment_month',
      'metric_campaign_day',
      'metric_message_day',
      'metric_coupon_day',
      'metric_day',
    ])
      await queryRunner.dropTable(table);
  }
}
