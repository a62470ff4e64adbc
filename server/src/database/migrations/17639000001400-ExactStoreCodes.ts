import { TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Every column holding one store's code, with whether it may be NULL (each is VARCHAR(32)). */
const STORE_CODE_COLUMNS: ReadonlyArray<{ table: string; column: string; nullable: boolean }> = [
  { table: 'store', column: 'code', nullable: false },
  { table: 'staff_store', column: 'store_code', nullable: false },
  { table: 'purchase', column: 'store_code', nullable: false },
  { table: 'pay_order', column: 'store_code', nullable: false },
  { table: 'coupon_redemption', column: 'store_code', nullable: true },
  { table: 'purchase_rule_grant', column: 'store_code', nullable: false },
  { table: 'feedback_case', column: 'store_code', nullable: true },
  { table: 'metric_day', column: 'store_code', nullable: false },
  { table: 'audit_log', column: 'store_code', nullable: true },
];

/**
 * Store codes compare exactly on MySQL, as they do on the embedded SQLite (BINARY) and in the code (a staff
 * account's stores are a list of strings). Under the tables' utf8mb4_unicode_ci, `s001` was S001 to every filter:
 * HQ's sales list, day summary, dashboard, feedback and audit filters showed S001's records for `s001` on MySQL
 * and nothing on SQLite, and a config listing stores `S001` and `s001` renamed the one to the other at start-up
 * instead of adding it. Now both databases answer the same. staff_store.store_code refers to store.code, and a
 * foreign key's two columns must share a collation: the key is dropped and made again around the change. Each
 * change rebuilds its table: on a large production database, run it in a quiet hour.
 */
export class ExactStoreCodes17639000001400 implements MigrationInterface {
  name = 'ExactStoreCodes17639000001400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.collate(queryRunner, 'utf8mb4_bin');
  }

  /** Back to the tables' collation: refused by a primary key if two codes differing only in case were stored meanwhile. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await this.collate(queryRunner, 'utf8mb4_unicode_ci');
  }

  private async collate(queryRunner: QueryRunner, collation: string): Promise<void> {
    // SQLite compares text with BINARY unless told otherwise: nothing to change there.
    if (queryRunner.connection.options.type !== 'mysql') return;
    const staffStore = await queryRunner.getTable('staff_store');
    const toStore = staffStore?.foreignKeys.filter((key) => key.columnNames.includes('store_code')) ?? [];
    for (const key of toStore) await queryRunner.dropForeignKey('staff_store', key);
    for (const { table, column, nullable } of STORE_CODE_COLUMNS) {
      const definition = `VARCHAR(32) CHARACTER SET utf8mb4 COLLATE ${collation} ${nullable ? 'NULL' : 'NOT NULL'}`;
      await queryRunner.query(`ALTER TABLE \`${table}\` MODIFY \`${column}\` ${definition}`);
    }
    for (const key of toStore)
      await queryRunner.createForeignKey(
        'staff_store',
        new TableForeignKey({
          name: key.name,
          columnNames: key.columnNames,
          referencedTableName: 'store',
          referencedColumnNames: key.referencedColumnNames,
          onDelete: key.onDelete,
          onUpdate: key.onUpdate,
        }),
      );
  }
}
