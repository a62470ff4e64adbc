import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class Messages1763900000009 implements MigrationInterface {
  name = 'Messages1763900000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    const member = { columnNames: ['member_id'], referencedTableName: 'member', referencedColumnNames: ['id'] };
    await queryRunner.createTable(
      new Table({
        name: 'message_grant',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'template_id', type: 'varchar', length: '64' },
          { name: 'remaining', type: 'int', default: 0 },
          { name: 'accepted_total', type: 'int', default: 0 },
          { name: 'updated_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'uq_message_grant', columnNames: ['member_id', 'template_id'], isUnique: true }),
          // "How many are reachable for this template": the members with a grant left.
          new TableIndex({ name: 'idx_message_grant_template', columnNames: ['template_id', 'remaining'] }),
        ],
        foreignKeys: [member],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'message_subscribe_report',
        columns: [
          id,
          { name: 'member_id', type: 'int' },
          { name: 'idempotency_key', type: 'varchar', length: '64' },
          { name: 'moment', type: 'varchar', length: '24' },
          { name: 'accepted', type: 'varchar', length: '400' },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'uq_message_subscribe_report', columnNames: ['member_id', 'idempotency_key'], isUnique: true })],
        foreignKeys: [member],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'message_preference',
        columns: [
          { name: 'member_id', type: 'int', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '24', isPrimary: true },
          { name: 'enabled', type: 'boolean' },
          { name: 'updated_at', type: 'datetime' },
        ],
        foreignKeys: [member],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'message_outbox',
        columns: [
          id,
          { name: 'dedupe_key', type: 'varchar', length: '128' },
          { name: 'member_id', type: 'int' },
          { name: 'kind', type: 'varchar', length: '24' },
          { name: 'template_id', type: 'varchar', length: '64' },
          { name: 'page', type: 'varchar', length: '200' },
          { name: 'data', type: 'text' },
          { name: 'status', type: 'varchar', length: '16', default: "'queued'" },
          { name: 'skip_reason', type: 'varchar', length: '24', isNullable: true },
          { name: 'errcode', type: 'int', isNullable: true },
          { name: 'error', type: 'varchar', length: '200', isNullable: true },
          { name: 'attempts', type: 'int', default: 0 },
          { name: 'grant_spent', type: 'boolean', default: false },
          { name: 'due_at', type: 'datetime' },
          { name: 'claimed_at', type: 'datetime', isNullable: true },
          { name: 'sent_at', type: 'datetime', isNullable: true },
          { name: 'msgid', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'uq_message_outbox_dedupe', columnNames: ['dedupe_key'], isUnique: true }),
          // The sender takes due rows in order.
          new TableIndex({ name: 'idx_message_outbox_due', columnNames: ['status', 'due_at'] }),
          // The frequency cap counts a member's recent sends.
          new TableIndex({ name: 'idx_message_outbox_member', columnNames: ['member_id', 'sent_at'] }),
        ],
        foreignKeys: [member],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'message_send_window',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          { name: 'slot_start', type: 'datetime' },
          { name: 'used', type: 'int', default: 0 },
        ],
      }),
    );
    await queryRunner.query("INSERT INTO message_send_window (id, slot_start, used) VALUES (1, '1970-01-01 00:00:00', 0)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['message_send_window', 'message_outbox', 'message_preference', 'message_subscribe_report', 'message_grant'])
      await queryRunner.dropTable(table);
  }
}
