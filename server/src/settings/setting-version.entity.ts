import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One version of a runtime setting (设置): rows are only inserted, never updated, so the table is the setting's
 * history and its audit (who, when, why). The latest version of a key is its value; no row: the config's value.
 */
@Entity('setting_version')
@Index('uq_setting_version', ['key', 'version'], { unique: true })
export class SettingVersion {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'setting_key', type: 'varchar', length: 64 })
  key!: string;

  @Column({ type: 'int' })
  version!: number;

  /** The value as JSON, validated with the config's own schema for that key before it is written. */
  @Column({ name: 'value_json', type: 'text' })
  valueJson!: string;

  @Column({ type: 'varchar', length: 200 })
  reason!: string;

  @Column({ name: 'changed_by_staff_id', type: 'int' })
  changedByStaffId!: number;

  @Column({ name: 'changed_by_name', type: 'varchar', length: 32, nullable: true })
  changedByName!: string | null;

  @Column({ name: 'changed_at', type: 'datetime' })
  changedAt!: Date;

  /** The version this one restored, when it was a revert (回滚). */
  @Column({ name: 'reverted_from', type: 'int', nullable: true })
  revertedFrom!: number | null;
}
