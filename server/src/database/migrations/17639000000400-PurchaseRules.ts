import { Table, TableCheck, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const WITHIN_BUDGET = 'chk_purchase_rule_within_budget';
const WITHIN_BUDGET_SQL =
  'granted_count >= 0 AND points_granted >= 0 AND coupons_granted >= 0' +
  ' AND (max_grants IS NULL OR granted_count <= max_grants)' +
  ' AND (max_points IS NULL OR points_granted <= max_points)' +
  ' AND (max_coupons IS NULL OR coupons_granted <= max_coupons)';

/**
 * Issue 17 (rewards fired by a purchase, 营销规则 / 支付有礼): the rules, one grant per (rule, purchase) — its
 * unique key is what makes a rule fire once per sale whatever replays the sale — and the coupons each grant
 * issued. The rule's counters move only by conditional UPDATEs within its budget; a CHECK is the last guard
 * (MariaDB enforces CHECK; TypeORM's MySQL runner does not speak it, so plain DDL there).
 */
export class PurchaseRules17639000000400 implements MigrationInterface {
  name = 'PurchaseRules17639000000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await queryRunner.createTable(
      new Table({
        name: 'purchase_rule',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '40' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'priority', type: 'int', default: 0 },
          { name: 'exclusive', type: 'boolean', default: false },
          { name: 'min_paid_fen', type: 'int', isNullable: true },
          { name: 'first_purchase', type: 'boolean', default: false },
          { name: 'tiers', type: 'varchar', length: '200', default: "''" },
          { name: 'stores', type: 'text' },
          { name: 'starts_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'ends_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'member_day_only', type: 'boolean', default: false },
          { name: 'channel', type: 'varchar', length: '16' },
          { name: 'coupon_template_id', type: 'int', isNullable: true },
          { name: 'coupon_count', type: 'int', default: 0 },
          { name: 'points', type: 'int', default: 0 },
          { name: 'multiplier_permille', type: 'int', isNullable: true },
          { name: 'max_grants', type: 'int', isNullable: true },
          { name: 'max_points', type: 'int', isNullable: true },
          { name: 'max_coupons', type: 'int', isNullable: true },
          { name: 'granted_count', type: 'int', default: 0 },
          { name: 'points_granted', type: 'int', default: 0 },
          { name: 'coupons_granted', type: 'int', default: 0 },
          { name: 'take_back', type: 'boolean', default: true },
          { name: 'created_by', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime' },
          { name: 'updated_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'idx_purchase_rule_status', columnNames: ['status'] })],
        checks: mysql ? [] : [new TableCheck({ name: WITHIN_BUDGET, expression: WITHIN_BUDGET_SQL })],
      }),
    );
    if (mysql) await queryRunner.query(`ALTER TABLE purchase_rule ADD CONSTRAINT ${WITHIN_BUDGET} CHECK (${WITHIN_BUDGET_SQL})`);
    await queryRunner.createTable(
      new Table({
        name: 'purchase_rule_grant',
        columns: [
          id,
          { name: 'rule_id', type: 'int' },
          { name: 'purchase_id', type: 'int' },
          { name: 'member_id', type: 'int' },
          { name: 'store_code', type: 'varchar', length: '32' },
          { name: 'paid_fen', type: 'int' },
          { name: 'points', type: 'int', default: 0 },
          { name: 'coupon_count', type: 'int', default: 0 },
          { name: 'granted_at', type: 'datetime' },
          { name: 'taken_back_at', type: 'datetime', isNullable: true },
          { name: 'points_clawed', type: 'int', default: 0 },
          { name: 'points_shortfall', type: 'int', default: 0 },
          { name: 'coupons_voided', type: 'int', default: 0 },
          { name: 'loss_fen', type: 'int', default: 0 },
        ],
        indices: [
          // Exactly once per (rule, purchase): a replayed sale, a retried notification, a second instance.
          new TableIndex({ name: 'uq_purchase_rule_grant', columnNames: ['rule_id', 'purchase_id'], isUnique: true }),
          new TableIndex({ name: 'idx_purchase_rule_grant_purchase', columnNames: ['purchase_id'] }),
          new TableIndex({ name: 'idx_purchase_rule_grant_member', columnNames: ['rule_id', 'member_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'purchase_rule_grant_coupon',
        columns: [
          { name: 'grant_id', type: 'int', isPrimary: true },
          { name: 'coupon_id', type: 'int', isPrimary: true },
        ],
        indices: [new TableIndex({ name: 'uq_purchase_rule_grant_coupon', columnNames: ['coupon_id'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('purchase_rule_grant_coupon');
    await queryRunner.dropTable('purchase_rule_grant');
    await queryRunner.dropTable('purchase_rule');
  }
}
