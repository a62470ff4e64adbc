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

/** What the card needs from the database for one member. */
export interface CardRow {
  member: CardMember;
  /** Paid minus refunded over purchases after the window start (the rolling tier window). */
  spendFen: number;
  /** Coupons that are available and valid at the read's second. */
  usableCoupons: number;
}

/** The instant a read is made at, and what it is judged by. */
export interface CardReadTime {
  now: Date;
  /** Start of the rolling tier window (exclusive). */
  spendSince: Date;
  /** `now` truncated to the second: a coupon is usable while valid_until ≥ it. */
  couponsValidAt: Date;
}

type Row = Record<string, unknown>;
interface CallbackPool {
  execute(sql: string, values: unknown[], callback: (error: Error | null, rows: Row[]) => void): void;
}
interface Waiting {
  memberId: number;
  resolve: (answer: { row: CardRow | null; at: CardReadTime }) => void;
  reject: (error: unknown) => void;
}

/** At most this many cards per statement; more waiting readers make more statements. */
const MAX_BATCH = 64;
/** IN-list sizes the statement is prepared for (the last id repeats to fill): a handful of statements per connection. */
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64];

/**
 * The card is the read every shopper makes at the till. It was three round trips per card (the member row
 * through the ORM, the tier-window spend, the wallet counts); on the bench machine each query's socket write
 * was a fifth of the server's CPU. Now:
 * - One statement: the member rows by primary key with two correlated sub-selects, each on its own index
 *   (idx_purchase_member_time, idx_coupon_wallet). They count exactly what their owners count, `spendInWindow`
 *   (points/spend.ts) and the `usable` column of `WalletService.counts`; member-card.test.ts holds the card to
 *   those numbers. Only the card's member columns are read, hydrated through the driver as the ORM would.
 * - Batched, not cached: the cards asked for while the event loop was busy (one turn, no timer) are read
 *   together by one statement, so under load one round trip serves many shoppers and an idle server answers
 *   one card at the next turn. Each card is as fresh as a card read alone at that instant, judged by one clock
 *   reading per statement; nothing outlives the statement.
 * - On MySQL the statement is prepared per pooled connection (mysql2 `execute`) and runs on the pool directly:
 *   the ORM's query runner and mysql2's promise wrapper (a stack captured per query) cost more than the card's
 *   own work. It is still reported to the ORM's logger like every query. SQLite goes through the data source.
 */
export class CardReader {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private statements = new Map<number, string>();
  private readonly columns: ColumnMetadata[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly timeOfRead: () => CardReadTime,
  ) {
    const metadata = dataSource.getMetadata(Member);
    this.columns = CARD_MEMBER_COLUMNS.map((name) => metadata.findColumnWithPropertyName(name)!);
  }

  /** The member's card data (null: no such member) and the time it was read at. */
  read(memberId: number): Promise<{ row: CardRow | null; at: CardReadTime }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ memberId, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (let i = 0; i < waiting.length; i += MAX_BATCH) void this.readBatch(waiting.slice(i, i + MAX_BATCH));
  }

  private async readBatch(batch: Waiting[]): Promise<void> {
    try {
      const at = this.timeOfRead();
      const ids = [...new Set(batch.map((w) => w.memberId))];
      const size = BATCH_SIZES.find((s) => s >= ids.length)!;
      const parameters: unknown[] = [sqlDate(this.dataSource.manager, at.spendSince), sqlDate(this.dataSource.manager, at.couponsValidAt)];
      for (let i = 0; i < size; i++) parameters.push(ids[Math.min(i, ids.length - 1)]);
      const rows = await this.run(this.statement(size), parameters);
      const byId = new Map<number, CardRow>();
      for (const row of rows) {
        const member: Record<string, unknown> = {};
        for (const column of this.columns)
          member[column.propertyName] = this.dataSource.driver.prepareHydratedValue(row[column.databaseName], column);
        byId.set(Number(member.id), {
          member: member as CardMember,
          spendFen: Number(row.card_spend ?? 0),
          usableCoupons: Number(row.card_usable_coupons ?? 0),
        });
      }
      for (const w of batch) w.resolve({ row: byId.get(w.memberId) ?? null, at });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  private run(sql: string, parameters: unknown[]): Promise<Row[]> {
    if (this.dataSource.options.type !== 'mysql') return this.dataSource.query(sql, parameters);
    this.dataSource.logger.logQuery(sql, parameters);
    const pool = (this.dataSource.driver as unknown as { pool: CallbackPool }).pool;
    return new Promise((resolve, reject) => pool.execute(sql, parameters, (error, rows) => (error ? reject(error) : resolve(rows))));
  }

  private statement(size: number): string {
    let sql = this.statements.get(size);
    if (!sql) {
      sql = [
        `SELECT ${this.columns.map((column) => `m.${column.databaseName}`).join(', ')},`,
        ' (SELECT COALESCE(SUM(p.paid_fen - p.refunded_fen), 0) FROM purchase p',
        ' WHERE p.member_id = m.id AND p.purchased_at > ?) AS card_spend,',
        " (SELECT COUNT(*) FROM coupon c WHERE c.member_id = m.id AND c.status = 'available'",
        ' AND c.valid_until >= ?) AS card_usable_coupons',
        ` FROM member m WHERE m.id IN (${new Array(size).fill('?').join(', ')})`,
      ].join('');
      this.statements.set(size, sql);
    }
    return sql;
  }
}
