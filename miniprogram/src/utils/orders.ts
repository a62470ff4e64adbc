/**
 * 我的订单 as the member reads it: each order's status in shopper words (refunds included), where it was paid,
 * and how its amount was made up. Pure: the pages and the banner render these.
 */
import { FEN_PER_POINT, type MemberOrderView } from '@member/shared';
import { businessDate, businessDateTime } from './dates';
import { money } from './pay';

export type OrderTone = 'pending' | 'done' | 'refunded' | 'closed' | 'problem';

/** The status on the order's card: 待支付, 已支付, 部分退款, 已退款, 退款中, 已取消, 支付异常. */
export function memberOrderStatus(order: Pick<MemberOrderView, 'status' | 'paidFen' | 'refundedFen' | 'refunds'>): {
  text: string;
  tone: OrderTone;
} {
  switch (order.status) {
    case 'pending':
      return { text: '待支付', tone: 'pending' };
    case 'closed':
      return { text: '已取消', tone: 'closed' };
    case 'flagged':
      return { text: '支付异常，请联系门店', tone: 'problem' };
    case 'paid':
      if (order.refunds.some((r) => r.status === 'processing')) return { text: '退款中', tone: 'refunded' };
      if (order.refundedFen > 0 && order.refundedFen >= order.paidFen) return { text: '已退款', tone: 'refunded' };
      if (order.refundedFen > 0) return { text: '部分退款', tone: 'refunded' };
      return { text: '已完成', tone: 'done' };
  }
}

export const ORDER_KIND_NAMES: Record<MemberOrderView['kind'], string> = { app: '在线付款', 'in-store': '门店消费' };

/** What came off the order amount: "会员价 -¥45.00 · 券 -¥20.00 · 积分 -¥5.00"; empty when nothing did. */
export function discountsText(order: Pick<MemberOrderView, 'couponDiscountFen' | 'pointsBurned'> & { memberDiscountFen?: number }): string {
  return [
    (order.memberDiscountFen ?? 0) > 0 ? `会员价 -${money(order.memberDiscountFen ?? 0)}` : '',
    order.couponDiscountFen > 0 ? `券 -${money(order.couponDiscountFen)}` : '',
    order.pointsBurned > 0 ? `积分 -${money(order.pointsBurned * FEN_PER_POINT)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** When an unpaid order's window ends: "15:23" today, with the date on another day. */
export function payByTime(expiresAt: string, now = new Date()): string {
  const at = businessDateTime(expiresAt);
  return at.startsWith(businessDate(now)) ? at.slice(11) : at;
}

/** Until when an unpaid order can be paid: "请在 15:23 前支付". */
export function payByText(expiresAt: string, now = new Date()): string {
  return `请在 ${payByTime(expiresAt, now)} 前支付`;
}

/** The money's label: 实付 once paid, 应付 while unpaid (the status already says 待支付), 未支付 once cancelled. */
export function paidLabel(order: Pick<MemberOrderView, 'status'>): string {
  if (order.status === 'paid') return '实付';
  return order.status === 'closed' ? '未支付' : '应付';
}
