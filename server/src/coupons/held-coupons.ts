import { PayOrderStatus } from '@member/shared';
import type { EntityManager } from 'typeorm';

/**
 * A coupon an unpaid app order holds: the order redeemed it at checkout (so it is stored as redeemed) but it is
 * not used until the order is paid, and comes back if the order is cancelled or expires. The member sees it as
 * 已锁定, staff count it apart from redeemed. Read from the orders module's `pay_order` (read only: orders writes it),
 * through idx_pay_order_member.
 */
export function heldByUnpaidOrder(alias: string): string {
  return (
    `EXISTS (SELECT 1 FROM pay_order po` +
    ` WHERE po.member_id = ${alias}.member_id AND po.coupon_id = ${alias}.id AND po.status = '${PayOrderStatus.Pending}')`
  );
}

/** How many of each template's coupons unpaid orders hold now (templates with none are absent). */
export async function heldCountsByTemplate(em: EntityManager, templateIds: readonly number[]): Promise<Map<number, number>> {
  if (templateIds.length === 0) return new Map();
  const rows: Array<{ templateId: number | string; held: number | string }> = await em.query(
    `SELECT c.template_id AS templateId, COUNT(*) AS held FROM pay_order po JOIN coupon c ON c.id = po.coupon_id
      WHERE po.status = ? AND c.template_id IN (${templateIds.map(() => '?').join(',')}) GROUP BY c.template_id`,
    [PayOrderStatus.Pending, ...templateIds],
  );
  return new Map(rows.map((row) => [Number(row.templateId), Number(row.held)]));
}
