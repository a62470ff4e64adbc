import type { StaffRole } from '@member/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/bigint';

/**
 * One staff action: who (account, role), where (store), what (action, target, member, amounts), when, and how
 * it ended. Append-only: the code only ever inserts and reads it (no UPDATE or DELETE anywhere); in production
 * grant the application user only INSERT and SELECT on this table.
 */
@Entity('audit_log')
@Index('idx_audit_log_staff', ['staffOpenid', 'id'])
@Index('idx_audit_log_store', ['storeCode', 'id'])
@Index('idx_audit_log_action', ['action', 'id'])
@Index('idx_audit_log_member', ['memberId', 'id'])
export class AuditLog {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'datetime' })
  at!: Date;

  @Column({ name: 'staff_id', type: 'int', nullable: true })
  staffId!: number | null;

  @Column({ name: 'staff_openid', type: 'varchar', length: 64 })
  staffOpenid!: string;

  /** The staff role, or 'member' for a member's own action (AuditService.recordMemberAction). */
  @Column({ type: 'varchar', length: 16 })
  role!: StaffRole | 'member';

  @Column({ name: 'store_code', type: 'varchar', length: 32, nullable: true })
  storeCode!: string | null;

  @Column({ type: 'varchar', length: 48 })
  action!: string;

  /** 'ok' or the error code the action was refused with. */
  @Column({ type: 'varchar', length: 48 })
  outcome!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  target!: string | null;

  @Column({ name: 'member_id', type: 'int', nullable: true })
  memberId!: number | null;

  @Column({ name: 'amount_fen', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  amountFen!: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  points!: number | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;
}
