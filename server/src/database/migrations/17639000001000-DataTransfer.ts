import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18 (HQ console): exports and member imports. A member brought in by an import keeps the retailer's own
 * id (`external_id`, unique when given) and when it came (`imported_at`). An export leaves a row saying how far
 * it got (any instance answers the console's progress poll); an import keeps every row of its file with the
 * dry run's verdict, and its resume point (`cursor_row`) moves only in the transaction that imports a chunk.
 */
export class DataTransfer17639000001000 implements MigrationInterface {
  name = 'DataTransfer17639000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('member', [
      new TableColumn({ name: 'external_id', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'imported_at', type: 'datetime', isNullable: true }),
    ]);
    await queryRunner.createIndex(
      'member',
      new TableIndex({ name: 'uq_member_external_id', columnNames: ['external_id'], isUnique: true }),
    );

    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.createTable(
      new Table({
        name: 'export_run',
        columns: [
          id,
          { name: 'run_key', type: 'varchar', length: '36' },
          { name: 'staff_id', type: 'int' },
          { name: 'source', type: 'varchar', length: '32' },
          { name: 'format', type: 'varchar', length: '8' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'rows_total', type: 'int' },
          { name: 'rows_done', type: 'int', default: 0 },
          { name: 'created_at', type: 'datetime' },
          { name: 'finished_at', type: 'datetime', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'uq_export_run_key', columnNames: ['run_key'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'import_job',
        columns: [
          id,
          { name: 'staff_id', type: 'int' },
          { name: 'file_name', type: 'varchar', length: '200' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'rows_total', type: 'int' },
          { name: 'rows_valid', type: 'int' },
          { name: 'rows_invalid', type: 'int' },
          { name: 'rows_existing', type: 'int' },
          { name: 'rows_imported', type: 'int', default: 0 },
          { name: 'cursor_row', type: 'int', default: 0 },
          { name: 'locked_until', type: 'datetime', isNullable: true },
          { name: 'created_at', type: 'datetime' },
          { name: 'finished_at', type: 'datetime', isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'import_row',
        columns: [
          id,
          { name: 'job_id', type: 'int' },
          { name: 'row_no', type: 'int' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'problems', type: 'varchar', length: '400', isNullable: true },
          // The phone as members who joined in the app keep it: sealed, keyed hash, masked. Never in clear.
          { name: 'phone_cipher', type: 'varchar', length: '255', isNullable: true },
          { name: 'phone_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'phone_masked', type: 'varchar', length: '20', isNullable: true },
          { name: 'name', type: 'varchar', length: '64', isNullable: true },
          { name: 'birthday', type: 'varchar', length: '10', isNullable: true },
          { name: 'tier', type: 'varchar', length: '16', isNullable: true },
          { name: 'points', type: 'int', default: 0 },
          { name: 'points_expires_at', type: 'datetime', isNullable: true },
          { name: 'external_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'member_id', type: 'int', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'uq_import_row', columnNames: ['job_id', 'row_no'], isUnique: true })],
        foreignKeys: [{ columnNames: ['job_id'], referencedTableName: 'import_job', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['import_row', 'import_job', 'export_run']) await queryRunner.dropTable(table);
    await queryRunner.dropIndex('member', 'uq_member_external_id');
    await queryRunner.dropColumns('member', ['external_id', 'imported_at']);
  }
}
