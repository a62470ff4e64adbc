import type { StaffInviteStatus, StaffRole } from '@member/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A staff invite (邀请员工): the role and stores the invitee gets. Its token is in the QR code and stored only as
 * its SHA-256 (whoever holds the code may accept it, so the table must not hand it out again). Status moves
 * pending → accepted | revoked by conditional UPDATEs on pending, so an invite makes one account once.
 */
@Entity('staff_invite')
export class StaffInvite {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('uq_staff_invite_token', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: StaffRole;

  /** Store codes joined by commas (an admin's invite may have none: HQ works everywhere); up to 100 of 32 characters. */
  @Column({ type: 'varchar', length: 3300 })
  stores!: string;

  /** The name the inviter gave (the invitee's staff name). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: Exclude<StaffInviteStatus, 'expired'>;

  @Column({ name: 'created_by_staff_id', type: 'int' })
  createdByStaffId!: number;

  @Column({ name: 'created_by_name', type: 'varchar', length: 32, nullable: true })
  createdByName!: string | null;

  @Index('idx_staff_invite_created')
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;

  @Column({ name: 'accepted_staff_id', type: 'int', nullable: true })
  acceptedStaffId!: number | null;

  @Column({ name: 'accepted_openid', type: 'varchar', length: 64, nullable: true })
  acceptedOpenid!: string | null;

  /** When it was accepted or revoked. */
  @Column({ name: 'decided_at', type: 'datetime', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'revoked_by_staff_id', type: 'int', nullable: true })
  revokedByStaffId!: number | null;
}
