import { PayOrderStatus } from '@member/shared';
import { In, type EntityManager } from 'typeorm';
import { sqlDate, sqlDateValue } from '../database/dialect';
import { Purchase, PurchaseRefund } from './sale.entities';

/** Ids per IN list: SQLite builds may stop at 999 placeholders a statement. */
const IDS_PER_STATEMENT = 500;

/** What other modules read of a sale: the entities' fields, never the classes (orders owns its tables). */
export type PurchaseRecord = Readonly<Purchase>;
export type PurchaseRefundRecord = Readonly<PurchaseRefund>;

/**
 * Reads of the sale tables for other modules, on the caller's `em`: the points page's purchases, and the
 * spend and purchase dates tiers (points/spend.ts) and the membership review decide on. Sales are written only
 * by orders (SaleSettlement, SaleRefunds), so this file only reads.
 */
export const ordersRepository = {
  /** These purchases by id (the points page names the store of each line a purchase wrote). */
  async findPurchases(em: EntityManager, purchaseIds: readonly number[]): Promise<Map<number, PurchaseRecord>> {
    const found = new Map<number, PurchaseRecord>();
    const unique = [...new Set(purchaseIds)];
    for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
      for (const purchase of await em.findBy(Purchase, { id: In(unique.slice(i, i + IDS_PER_STATEMENT)) }))
        found.set(purchase.id, purchase);
    }
    return found;
  },

  /** Money paid minus money refunded on the member's purchases after `since` (idx_purchase_member_time). */
  async spendSince(em: Pick<EntityManager, 'query' | 'connection'>, memberId: number, since: Date): Promise<number> {
    const rows: Array<{ spend: number | string | null }> = await em.query(
      'SELECT COALESCE(SUM(paid_fen - refunded_fen), 0) AS spend FROM purchase WHERE member_id = ? AND purchased_at > ?',
      [memberId, sqlDate(em, since)],
    );
    return Number(rows[0]?.spend ?? 0);
  },

  /** When these members bought in [from, to), leaving out purchases refunded in full (the lifecycle counts them). */
  async purchaseTimes(
    em: EntityManager,
    memberIds: readonly number[],
    from: Date,
    to: Date,
  ): Promise<Array<{ memberId: number; purchasedAt: Date }>> {
    const times: Array<{ memberId: number; purchasedAt: Date }> = [];
    for (let i = 0; i < memberIds.length; i += IDS_PER_STATEMENT) {
      const batch = memberIds.slice(i, i + IDS_PER_STATEMENT);
      const rows: Array<{ memberId: number | string; purchasedAt: Date | string }> = await em.query(
        `SELECT member_id AS memberId, purchased_at AS purchasedAt FROM purchase
          WHERE member_id IN (${batch.map(() => '?').join(',')}) AND purchased_at >= ? AND purchased_at < ? AND refunded_fen < paid_fen`,
        [...batch, sqlDate(em, from), sqlDate(em, to)],
      );
      for (const row of rows) times.push({ memberId: Number(row.memberId), purchasedAt: sqlDateValue(row.purchasedAt) });
    }
    return times;
  },

  /** Whether the member has an app order still waiting for payment (it holds their coupon and points). */
  async hasUnpaidOrder(em: EntityManager, memberId: number): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 AS found FROM pay_order WHERE member_id = ? AND status = ? LIMIT 1', [
      memberId,
      PayOrderStatus.Pending,
    ]);
    return rows.length > 0;
  },

  /**
   * The stores where the member has settled sales (till or app), the most recent first: a store manager's
   * "own" members in the console are the ones who bought at one of their stores. Reads the member's purchases
   * through idx_purchase_member_time (a member's own rows, tens to hundreds).
   */
  async storesOfMember(em: EntityManager, memberId: number): Promise<string[]> {
    const rows: Array<{ storeCode: string }> = await em.query(
      'SELECT store_code AS storeCode, MAX(purchased_at) AS lastAt FROM purchase WHERE member_id = ?' +
        ' GROUP BY store_code ORDER BY lastAt DESC',
      [memberId],
    );
    return rows.map((row) => row.storeCode);
  },

  /**
   * The condition that scopes a member query (alias `memberAlias`) to members who bought at one of `stores`: a
   * probe of the member's own purchases (idx_purchase_member_time) for each candidate row, as the query reads
   * them in its own index's order. Written as a scalar subquery on purpose: MariaDB turns an EXISTS into a
   * semi-join and materialised the store's every purchase first (10,000+ rows read through the store index,
   * 270-290 ms a page of a store manager's nickname search on 1 M members), where probing stops with the page.
   */
  boughtAtSql(memberAlias: string, stores: readonly string[]): { sql: string; params: string[] } {
    const inStores = stores.map(() => '?').join(', ');
    return {
      sql: `(SELECT 1 FROM purchase p WHERE p.member_id = ${memberAlias}.id AND p.store_code IN (${inStores}) LIMIT 1) IS NOT NULL`,
      params: [...stores],
    };
  },
};
