import { TransactionRunner } from '../database/transaction-runner';
import { SaleSettlement } from '../orders/sale-settlement.service';
import type { TestApp } from './test-app';

/**
 * A plain sale (no coupon, no points burned) settled the way the till settles one, for tests of what follows a
 * sale (messages, campaign revenue) rather than of the sale itself.
 */
export function settleSale(t: TestApp, sale: { memberId: number; idempotencyKey: string; paidFen: number }) {
  const plain = { staffOpenid: 'o-till', storeCode: 'S001', couponId: null, redemptionId: null, couponDiscountFen: 0, burn: { points: 0 } };
  return t.app
    .get(TransactionRunner)
    .run((em) => t.app.get(SaleSettlement).settleWithin(em, { ...plain, ...sale, grossFen: sale.paidFen, now: t.clock.now() }));
}
