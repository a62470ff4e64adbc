import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * points_draw: what each debit took from each lot, so burned points given back (a refund, a released order) keep
 * each part's own expiry (PointsDraw). Debits made before it have no draws: their give-backs keep the earliest
 * expiry, as before.
 */
export class PointsDraws17639000001500 implements MigrationInterface {
  name = 'PointsDraws17639000001500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'points_draw',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'ledger_id', type: 'int' },
          { name: 'lot_id', type: 'int' },
          { name: 'points', type: 'int' },
          { name: 'restored', type: 'int', default: 0 },
          { name: 'expires_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'idx_points_draw_ledger', columnNames: ['ledger_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('points_draw');
  }
}
