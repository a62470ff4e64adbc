import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A campaign run's chunks are claimed one row each (campaign_run_chunk), inserted first in the chunk's own
 * transaction, instead of by moving campaign_run.next_member_id there: the run row stayed locked until each chunk
 * committed, so a run's chunks went one at a time. The primary key (run, first member id) is the claim: a second
 * instance's insert of the same chunk waits for the first one's commit and then fails on the key (or goes ahead if
 * it rolled back). Runs started before keep their checkpoint: next_member_id is no longer moved, and the chunks
 * below it count as done.
 */
export class CampaignRunChunks1763900000019 implements MigrationInterface {
  name = 'CampaignRunChunks1763900000019';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'campaign_run_chunk',
        columns: [
          { name: 'run_id', type: 'int', isPrimary: true },
          { name: 'first_member_id', type: 'int', isPrimary: true },
          { name: 'last_member_id', type: 'int' },
          { name: 'created_at', type: 'datetime' },
        ],
        // No foreign key to campaign_run: InnoDB would share-lock the run row with every chunk's claim.
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('campaign_run_chunk');
  }
}
