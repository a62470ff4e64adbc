import { In, type EntityManager } from 'typeorm';
import { Purchase, PurchaseRefund } from './sale.entities';

/** Ids per IN list: SQLite builds may stop at 999 placeholders a statement. */
const IDS_PER_STATEMENT = 500;

/** What other modules read of a sale: the entities' fields, never the classes (orders owns its tables). */
export type PurchaseRecord = Readonly<Purchase>;
export type PurchaseRefundRecord = Readonly<PurchaseRefund>;

/**
 * Reads of the sale tables for other modules, on the caller's `em`. Sales are written only by orders
 * (SaleSettlement, SaleRefunds), so this file only reads.
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
};
