import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Audiences: one RFM row per joined member (rewritten by the refresh job), the refresh's single state row (its
 * lease and the last result), and the indexes the audience preview counts through. Member-side criteria (tier,
 * lifecycle status, birthday month, last purchase) are read live from `member`, and reachability from
 * `message_grant`, so their audience indexes are created here too, beside the queries that need them
 * (server/src/segments/audience-sql.ts, measured by test/bench/audience.ts).
 */
export class Segments1763900000010 implements MigrationInterface {
  name = 'Segments1763900000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'member_rfm',
        columns: [
          { name: 'member_id', type: 'int', isPrimary: true },
          { name: 'recency_days', type: 'int', isNullable: true },
          { name: 'frequency', type: 'int', default: 0 },
          // Sums of int fen over many purchases: beyond int's ¥21 million for the biggest spenders.
          { name: 'monetary_fen', type: 'bigint', default: 0 },
          { name: 'spend_12m_fen', type: 'bigint', default: 0 },
          { name: 'r_score', type: 'smallint', isNullable: true },
          { name: 'f_score', type: 'smallint', isNullable: true },
          { name: 'm_score', type: 'smallint', isNullable: true },
          { name: 'segment', type: 'varchar', length: '24', isNullable: true },
          { name: 'computed_at', type: 'datetime' },
        ],
        indices: [
          // Segment and spend criteria: a range per segment, spend checked inside the index (member_id rides along).
          new TableIndex({ name: 'idx_member_rfm_segment', columnNames: ['segment', 'spend_12m_fen'] }),
          // Spend criteria without a segment.
          new TableIndex({ name: 'idx_member_rfm_spend', columnNames: ['spend_12m_fen'] }),
          // A narrow copy of the criteria in member id order, for joins (see idx_member_audience_id below).
          new TableIndex({ name: 'idx_member_rfm_id', columnNames: ['member_id', 'segment', 'spend_12m_fen'] }),
        ],
        // No foreign key to member: InnoDB checks one by share-locking the member row, and the refresh inserts
        // 20,000 rows a statement, which would hold purchases (they lock their member row) for as long. The
        // refresh only ever writes ids it just read from member, and members are never deleted.
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'member_rfm_refresh',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          // The lease: which refresh is running, and when it last showed it is alive.
          { name: 'lease_token', type: 'varchar', length: '36', isNullable: true },
          { name: 'lease_heartbeat_at', type: 'datetime', isNullable: true },
          // The last finished refresh: the clock it computed against, and what it found (JSON).
          { name: 'computed_at', type: 'datetime', isNullable: true },
          { name: 'summary', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO member_rfm_refresh (id) VALUES (1)');
    // Every member-side criterion in one index, joined_at last: a count over any mix of them is an index-only
    // scan (a range when tiers are given), never a read of the wide member rows.
    await queryRunner.createIndex(
      'member',
      new TableIndex({
        name: 'idx_member_audience',
        columnNames: ['tier', 'lifecycle_status', 'birthday_month', 'last_purchase_at', 'joined_at'],
      }),
    );
    // The same columns led by the id: when another table drives a count (grants, RFM rows), each member is looked
    // up here instead of in the primary key. The primary key holds the whole wide row, which at a million members
    // outgrows a modest buffer pool (MariaDB's default 128 MB): a look-up there cost 7 µs in id order and 30-45 µs
    // in random order, here 1-2 µs (measured for test/bench/audience.ts).
    await queryRunner.createIndex(
      'member',
      new TableIndex({
        name: 'idx_member_audience_id',
        columnNames: ['id', 'joined_at', 'tier', 'lifecycle_status', 'birthday_month', 'last_purchase_at'],
      }),
    );
    // A template's grants in member id order with what the count needs, so "who of them has a grant left" walks
    // the members' indexes in order instead of jumping around them (idx_message_grant_template lists grants in
    // the order they were accepted, and does not hold member_id).
    await queryRunner.createIndex(
      'message_grant',
      new TableIndex({ name: 'idx_message_grant_reach', columnNames: ['template_id', 'member_id', 'remaining'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('message_grant', 'idx_message_grant_reach');
    await queryRunner.dropIndex('member', 'idx_member_audience_id');
    await queryRunner.dropIndex('member', 'idx_member_audience');
    await queryRunner.dropTable('member_rfm_refresh');
    await queryRunner.dropTable('member_rfm');
  }
}
