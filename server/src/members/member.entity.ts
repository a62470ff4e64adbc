import { AccountStatus, LifecycleStatus, TierCode } from '@member/shared';
import { bigintAsNumber } from '../database/bigint';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * One WeChat user of the mini-program. A row exists from the first silent login; the member has "joined"
 * once they accepted the privacy terms and bound a phone number.
 */
@Entity('member')
@Index('idx_member_birthday', ['birthdayMonth', 'birthdayDay'])
// Audience counts read only these (see server/src/segments/audience-sql.ts and the Segments migration).
@Index('idx_member_audience', ['tier', 'lifecycleStatus', 'birthdayMonth', 'lastPurchaseAt', 'joinedAt'])
// The console's member search (17639000000900-MemberSearch): by last four digits, by nickname prefix.
@Index('idx_member_phone_last4', ['phoneLast4', 'id'])
@Index('idx_member_nickname', ['nickname', 'id'])
@Index('idx_member_audience_id', ['id', 'joinedAt', 'tier', 'lifecycleStatus', 'birthdayMonth', 'lastPurchaseAt'])
export class Member {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('uq_member_openid', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  openid!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  unionid!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  nickname!: string | null;

  @Column({ name: 'avatar_url', type: 'varchar', length: 512, nullable: true })
  avatarUrl!: string | null;

  /** AES-256-GCM ciphertext of "+<country> <number>"; see PhoneVault. */
  @Column({ name: 'phone_cipher', type: 'varchar', length: 255, nullable: true })
  phoneCipher!: string | null;

  /** HMAC of the normalised number: look-up and the one-member-per-phone rule without storing it in clear. */
  @Index('uq_member_phone_hash', { unique: true })
  @Column({ name: 'phone_hash', type: 'varchar', length: 64, nullable: true })
  phoneHash!: string | null;

  @Column({ name: 'phone_masked', type: 'varchar', length: 20, nullable: true })
  phoneMasked!: string | null;

  /** The number's last four digits (mainland numbers), indexed: the console's 手机尾号 search (null: none, or deleted). */
  @Column({ name: 'phone_last4', type: 'varchar', length: 4, nullable: true })
  phoneLast4!: string | null;

  @Column({ name: 'privacy_policy_version', type: 'varchar', length: 32, nullable: true })
  privacyPolicyVersion!: string | null;

  @Column({ name: 'privacy_accepted_at', type: 'datetime', nullable: true })
  privacyAcceptedAt!: Date | null;

  @Column({ name: 'joined_at', type: 'datetime', nullable: true })
  joinedAt!: Date | null;

  /** Calendar date "YYYY-MM-DD" (no time zone: a birthday is a date, not an instant). */
  @Column({ type: 'varchar', length: 10, nullable: true })
  birthday!: string | null;

  /** Month and day split out so the birthday job finds "born this month/day" through an index. */
  @Column({ name: 'birthday_month', type: 'smallint', nullable: true })
  birthdayMonth!: number | null;

  @Column({ name: 'birthday_day', type: 'smallint', nullable: true })
  birthdayDay!: number | null;

  /** Business-calendar date the birthday was last set: the once-a-year change rule counts from it. */
  @Column({ name: 'birthday_set_on', type: 'varchar', length: 10, nullable: true })
  birthdaySetOn!: string | null;

  @Column({ type: 'varchar', length: 16, default: TierCode.Normal })
  tier!: TierCode;

  @Column({ name: 'lifecycle_status', type: 'varchar', length: 16, default: LifecycleStatus.New })
  lifecycleStatus!: LifecycleStatus;

  /** BIGINT: it grows with the member's whole history (INT overflowed at ~2.1e9 points). */
  @Column({ name: 'points_balance', type: 'bigint', default: 0, transformer: bigintAsNumber })
  pointsBalance!: number;

  @Column({ name: 'last_purchase_at', type: 'datetime', nullable: true })
  lastPurchaseAt!: Date | null;

  /** Since when the review has seen the spend below the tier (the downgrade grace period); null when it is not. */
  @Column({ name: 'tier_below_since', type: 'datetime', nullable: true })
  tierBelowSince!: Date | null;

  /** Purchases earn double points through this second (the birthday window's end), set by the birthday job. */
  @Column({ name: 'double_points_until', type: 'datetime', nullable: true })
  doublePointsUntil!: Date | null;

  /** Deleted (注销): the row stays, anonymised, for the ledgers that point at it; sessions issued before are refused. */
  @Column({ name: 'account_status', type: 'varchar', length: 16, default: AccountStatus.Active })
  accountStatus!: AccountStatus;

  @Column({ name: 'deleted_at', type: 'datetime', nullable: true })
  deletedAt!: Date | null;

  /** The retailer's own id for a member brought in by an import (issue 18); unique when given. */
  @Index('uq_member_external_id', { unique: true })
  @Column({ name: 'external_id', type: 'varchar', length: 64, nullable: true })
  externalId!: string | null;

  /**
   * When an import brought the member in. Until they log in with WeChat and bind the same phone, their openid is
   * a placeholder (IMPORTED_OPENID_PREFIX + phone hash); binding then gives this row the real openid.
   */
  @Column({ name: 'imported_at', type: 'datetime', nullable: true })
  importedAt!: Date | null;

  /** Optimistic concurrency for profile edits (birthday rule): updates are conditional on it. */
  @VersionColumn({ type: 'int' })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
