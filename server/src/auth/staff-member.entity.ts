import { StaffRole } from '@member/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** config: re-applied at every start (the console leaves it alone); cli: `npm run staff`; invite: accepted a QR invite. */
export const StaffSource = { Config: 'config', Cli: 'cli', Invite: 'invite' } as const;
export type StaffSource = (typeof StaffSource)[keyof typeof StaffSource];

/** A WeChat user (by openid) who may use the staff pages, with a role. Checked on every staff request. */
@Entity('staff_member')
export class StaffMember {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('uq_staff_openid', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  openid!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: StaffRole;

  @Column({ type: 'varchar', length: 32, nullable: true })
  name!: string | null;

  /** Where the binding came from: config entries are re-applied at every start, CLI ones are kept. */
  @Column({ type: 'varchar', length: 16 })
  source!: StaffSource;

  /** Set when HQ or a manager disabled the account (停用): it is no longer staff, but its history still names it. */
  @Column({ name: 'disabled_at', type: 'datetime', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
