import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A member's birthday perk for one year: the double points window and the coupon (when one was configured
 * and in stock), written by each chunk of the birthday system campaign's run (BirthdayPerkProgram) and read by
 * its audience. The unique (member, year) key is what makes "once a year" hold against reruns, two
 * instances at once and a birthday changed to get the perk again.
 */
@Entity('birthday_perk')
@Index('uq_birthday_perk_member_year', ['memberId', 'year'], { unique: true })
export class BirthdayPerk {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'member_id', type: 'int' })
  memberId!: number;

  @Column({ type: 'int' })
  year!: number;

  @Column({ name: 'coupon_id', type: 'int', nullable: true })
  couponId!: number | null;

  /** Last second of the window (23:59:59 local on its last day), as written to the member row. */
  @Column({ name: 'double_points_until', type: 'datetime' })
  doublePointsUntil!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/**
 * One member id range the birthday job finished on one business day, from before the campaign runner issued the
 * perks (issue 15): no longer written (a run's chunks are now claimed in campaign_run_chunk), kept so the table's
 * past rows stay readable and its migration holds.
 */
@Entity('birthday_perk_checkpoint')
@Index('uq_birthday_checkpoint_chunk', ['runOn', 'firstMemberId'], { unique: true })
export class BirthdayPerkCheckpoint {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'run_on', type: 'varchar', length: 10 })
  runOn!: string;

  @Column({ name: 'first_member_id', type: 'int' })
  firstMemberId!: number;

  @Column({ name: 'last_member_id', type: 'int' })
  lastMemberId!: number;

  @Column({ name: 'perks_granted', type: 'int', default: 0 })
  perksGranted!: number;

  @Column({ name: 'coupons_issued', type: 'int', default: 0 })
  couponsIssued!: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
