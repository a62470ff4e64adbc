import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 15, point 3: birthday perks and the coupon-expiry reminder are campaigns staff can see and report on.
 * `campaign.system_key` names the campaigns the system runs itself (unique; NULL for staff campaigns), and the
 * two are seeded active here. What they give comes from config at each run (birthday.perk, messages.*), so
 * the rows hold no template id or day count of their own; each business day's run is a campaign_run row.
 */
export class SystemCampaigns1763900000017 implements MigrationInterface {
  name = 'SystemCampaigns1763900000017';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('campaign', new TableColumn({ name: 'system_key', type: 'varchar', length: '32', isNullable: true }));
    await queryRunner.createIndex('campaign', new TableIndex({ name: 'uq_campaign_system', columnNames: ['system_key'], isUnique: true }));
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
    for (const [key, name, schedule, kind] of [
      ['birthday-perk', '生日礼遇', 'birthday', 'birthday'],
      ['coupon-reminder', '券到期提醒', 'coupon_expiry', 'coupon_expiring'],
    ]) {
      await queryRunner.query(
        `INSERT INTO campaign (name, status, filter, coupon_template_id, points, message_kind, offer_text, schedule, holdout_permille,
           idempotency_key, created_by, created_at, launched_at, system_key)
         VALUES (?, 'active', '{}', NULL, 0, ?, NULL, ?, 0, ?, 'system', ?, ?, ?)`,
        [name, kind, schedule, `system:${key}`, now, now, key],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DELETE FROM campaign_member' +
        ' WHERE run_id IN (SELECT r.id FROM campaign_run r JOIN campaign c ON c.id = r.campaign_id WHERE c.system_key IS NOT NULL)',
    );
    await queryRunner.query('DELETE FROM campaign_run WHERE campaign_id IN (SELECT id FROM campaign WHERE system_key IS NOT NULL)');
    await queryRunner.query('DELETE FROM campaign WHERE system_key IS NOT NULL');
    await queryRunner.dropIndex('campaign', 'uq_campaign_system');
    await queryRunner.dropColumn('campaign', 'system_key');
  }
}
