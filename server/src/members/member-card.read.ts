import type { DataSource } from 'typeorm';
import { sqlDate } from '../database/sql';
import { Member } from './member.entity';

/** What the card needs from the database, read in one round trip. */
export interface CardRow {
  member: Member;
  /** Paid minus refunded over purchases after `spendSince` (the rolling tier window). */
  spendFen: number;
  /** Coupons that are available and valid at `couponsValidAt` (to the second). */
  usableCoupons: number;
}

/**
 * The card is the read every shopper makes at the till. It was three round trips (the member row through the
 * ORM, the tier-window spend, the wallet counts); on the bench machine each query's socket write alone was a
 * fifth of the server's CPU. One statement now: the member row by primary key with two correlated sub-selects,
 * each on its own index (idx_purchase_member_time, idx_coupon_wallet). Read-only, one snapshot.
 *
 * The sub-selects count exactly what their owners count: `spendInWindow` (points/spend.ts) and the `usable`
 * column of `WalletService.counts` (coupons/wallet.service.ts); members.service.test.ts and member-card.test.ts
 * hold the card to those numbers. The member row is hydrated column by column through the driver, as the ORM
 * would, without building a query (dates and the BIGINT balance come back exactly as `findOneBy` gives them).
 */
export async function readCard(dataSource: DataSource, memberId: number, spendSince: Date, couponsValidAt: Date): Promise<CardRow | null> {
  const rows: Array<Record<string, unknown>> = await dataSource.query(CARD_SQL, [sqlDate(dataSource.manager, spendSince), sqlDate(dataSource.manager, couponsValidAt), memberId]);
  const row = rows[0];
  if (!row) return null;
  const driver = dataSource.driver;
  const member = new Member();
  for (const column of dataSource.getMetadata(Member).columns) {
    const value = row[column.databaseName];
    (member as unknown as Record<string, unknown>)[column.propertyName] = value === undefined ? undefined : driver.prepareHydratedValue(value, column);
  }
  return { member, spendFen: Number(row.card_spend ?? 0), usableCoupons: Number(row.card_usable_coupons ?? 0) };
}

const CARD_SQL = [
  'SELECT m.*,',
  ' (SELECT COALESCE(SUM(p.paid_fen - p.refunded_fen), 0) FROM purchase p WHERE p.member_id = m.id AND p.purchased_at > ?) AS card_spend,',
  " (SELECT COUNT(*) FROM coupon c WHERE c.member_id = m.id AND c.status = 'available' AND c.valid_until >= ?) AS card_usable_coupons ",
  'FROM member m WHERE m.id = ?',
].join('');
