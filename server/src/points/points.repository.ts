import type { EntityManager } from 'typeorm';
import { PointsLedgerLine } from './points.entities';

/** What other modules read of a ledger line: its fields, never the entity class (points owns its tables). */
export type PointsLedgerLineRecord = Readonly<PointsLedgerLine>;
export { PointsReason } from './points.entities';

/**
 * The points tables' reads and the one link other modules need, on the caller's `em` (design.md: a module
 * alone writes its tables). Moving points (credit, debit, expiry) stays PointsLedger's: it locks the member and
 * keeps balance = Σ ledger = Σ lots.
 */
export const pointsRepository = {
  /** The line an effect wrote under its unique source key (`purchase:<id>:earn`, `payorder:<no>:burn`, …), if any. */
  findLine(em: EntityManager, sourceKey: string): Promise<PointsLedgerLineRecord | null> {
    return em.findOneBy(PointsLedgerLine, { sourceKey });
  },

  /**
   * Names the purchase a held burn (an app order's points, debited at checkout) ended up paying for, so the
   * refund and the points page find it by purchase. Only `purchase_id` moves: amounts and balances never change.
   */
  async linkToPurchase(em: EntityManager, sourceKey: string, purchaseId: number): Promise<void> {
    await em.update(PointsLedgerLine, { sourceKey }, { purchaseId });
  },
};
