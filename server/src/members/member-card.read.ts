import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { sqlDate } from '../database/sql';
import { Member } from './member.entity';

/** The member columns the card shows (profile, tier, balance, lifecycle, double points); nothing else is read. */
export const CARD_MEMBER_COLUMNS = [
  'id',
  'nickname',
  'avatarUrl',
  'phoneMasked',
  'joinedAt',
  'birthday',
  'birthdaySetOn',
  'tier',
  'lifecycleStatus',
  'pointsBalance',
  'doublePointsUntil',
] as const satisfies ReadonlyArray<keyof Member>;
export type CardMember = Pick<Member, (typeof CARD_MEMBER_COLUMNS)[number]>;

/** What the card needs from the database, read in one round trip. */
export interface CardRow {
  member: CardMember;
  /** Paid minus refunded over purchases after `spendSince` (the rolling tier window). */
  spendFen: number;
  /** Coupons that are available and valid at `couponsValidAt` (to the second). */
  usableCoupons: number;
}

type Row = Record<string, unknown>;
interface CallbackPool {
  execute(sql: string, values: unknown[], callback: (error: Error | null, rows: Row[]) => void): void;
}

/**
 * The card is the read every shopper makes at the till. It was three round trips (the member row through the
 * ORM, the tier-window spend, the wallet counts); on the bench machine each query's socket write alone was a
 * fifth of the server's CPU. One statement now: the member row by primary key with two correlated sub-selects,
 * each on its own index (idx_purchase_member_time, idx_coupon_wallet). Read-only, one snapshot.
 *
 * The sub-selects count exactly what their owners count: `spendInWindow` (points/spend.ts) and the `usable`
 * column of `WalletService.counts` (coupons/wallet.service.ts); member-card.test.ts holds the card to those
 * numbers. Only the card's member columns are read, each hydrated through the driver as the ORM would (dates,
 * the BIGINT balance). On MySQL the statement is prepared once per pooled connection (mysql2 `execute` keeps
 * it) and runs on the pool directly: the ORM's query runner and mysql2's promise wrapper (a stack captured per
 * query) cost more than the card's own work. It is still reported to the ORM's logger like every query.
 */
export async function readCard(dataSource: DataSource, memberId: number, spendSince: Date, couponsValidAt: Date): Promise<CardRow | null> {
  const { sql, columns } = cardStatement(dataSource);
  const parameters = [sqlDate(dataSource.manager, spendSince), sqlDate(dataSource.manager, couponsValidAt), memberId];
  let rows: Row[];
  if (dataSource.options.type === 'mysql') {
    dataSource.logger.logQuery(sql, parameters);
    const pool = (dataSource.driver as unknown as { pool: CallbackPool }).pool;
    rows = await new Promise<Row[]>((resolve, reject) => pool.execute(sql, parameters, (error, result) => (error ? reject(error) : resolve(result))));
  } else {
    rows = await dataSource.query(sql, parameters);
  }
  const row = rows[0];
  if (!row) return null;
  const driver = dataSource.driver;
  const member: Record<string, unknown> = {};
  for (const column of columns) member[column.propertyName] = driver.prepareHydratedValue(row[column.databaseName], column);
  return { member: member as CardMember, spendFen: Number(row.card_spend ?? 0), usableCoupons: Number(row.card_usable_coupons ?? 0) };
}

/** The statement and its columns, from the entity's mapping (built once per data source). */
const statements = new WeakMap<DataSource, { sql: string; columns: ColumnMetadata[] }>();
function cardStatement(dataSource: DataSource): { sql: string; columns: ColumnMetadata[] } {
  let statement = statements.get(dataSource);
  if (!statement) {
    const metadata = dataSource.getMetadata(Member);
    const columns = CARD_MEMBER_COLUMNS.map((name) => metadata.findColumnWithPropertyName(name)!);
    const sql = [
      `SELECT ${columns.map((column) => `m.${column.databaseName}`).join(', ')},`,
      ' (SELECT COALESCE(SUM(p.paid_fen - p.refunded_fen), 0) FROM purchase p WHERE p.member_id = m.id AND p.purchased_at > ?) AS card_spend,',
      " (SELECT COUNT(*) FROM coupon c WHERE c.member_id = m.id AND c.status = 'available' AND c.valid_until >= ?) AS card_usable_coupons",
      ' FROM member m WHERE m.id = ?',
    ].join('');
    statement = { sql, columns };
    statements.set(dataSource, statement);
  }
  return statement;
}
