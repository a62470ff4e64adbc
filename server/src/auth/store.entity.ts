import { StoreStatus } from '@member/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A store (门店): seeded from config's store list at start; the table is what staff accounts refer to. */
@Entity('store')
export class Store {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 40 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: StoreStatus.Active })
  status!: StoreStatus;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}

/** Which stores a staff account works at (an admin needs none: HQ works at every store). */
@Entity('staff_store')
export class StaffStore {
  @PrimaryColumn({ name: 'staff_id', type: 'int' })
  staffId!: number;

  @PrimaryColumn({ name: 'store_code', type: 'varchar', length: 32 })
  storeCode!: string;
}

/**
 * A clerk may read this member until `expiresAt`: written when the clerk verified the member's code at the
 * till (or recorded a sale with it). One row per (staff, member), moved forward by each new scan.
 */
@Entity('member_access_grant')
@Index('idx_member_access_grant_expiry', ['expiresAt'])
export class MemberAccessGrant {
  @PrimaryColumn({ name: 'staff_id', type: 'int' })
  staffId!: number;

  @PrimaryColumn({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;
}
