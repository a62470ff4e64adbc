import type { ConsoleLoginStatus } from '@member/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One QR code the console showed (扫码登录). The id is in the QR code, so anyone who sees the screen knows it;
 * the poll secret only the asking browser has, stored as its SHA-256. Status moves pending → scanned →
 * confirmed | denied, and confirmed → collected when the console takes its session: each step a conditional
 * UPDATE on the status it leaves, so a code signs in one browser once.
 */
@Entity('console_login_ticket')
@Index('idx_console_login_ticket_expires', ['expiresAt'])
export class ConsoleLoginTicket {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'poll_secret_hash', type: 'varchar', length: 64 })
  pollSecretHash!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: Exclude<ConsoleLoginStatus, 'expired'>;

  /** The asking browser's user agent, shortened, shown on the phone before confirming. */
  @Column({ type: 'varchar', length: 200 })
  client!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  /** Scan and confirm before this; once confirmed, collect before it (moved to confirmation + collectSeconds). */
  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;

  @Column({ name: 'staff_id', type: 'int', nullable: true })
  staffId!: number | null;

  /** The staff member's WeChat user: the session the console gets is theirs. */
  @Column({ name: 'member_id', type: 'int', nullable: true })
  memberId!: number | null;

  @Column({ name: 'staff_openid', type: 'varchar', length: 64, nullable: true })
  staffOpenid!: string | null;

  @Column({ name: 'decided_at', type: 'datetime', nullable: true })
  decidedAt!: Date | null;
}
