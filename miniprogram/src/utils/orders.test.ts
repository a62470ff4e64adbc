import { describe, expect, it } from '@jest/globals';
import type { MemberOrderView } from '@member/shared';
import { discountsText, memberOrderStatus, paidLabel, payByText } from './orders';

const order = (patch: Partial<MemberOrderView> = {}): MemberOrderView => ({
  ref: 'S1',
  kind: 'in-store',
  storeCode: 'S001',
  storeName: '悦享旗舰店',
  grossFen: 30000,
  memberDiscountFen: 0,
  memberPricePermille: 1000,
  couponId: null,
  couponName: null,
  couponDiscountFen: 0,
  pointsBurned: 0,
  paidFen: 30000,
  refundedFen: 0,
  pointsEarned: 300,
  status: 'paid',
  outTradeNo: null,
  at: '2026-12-04T02:00:00Z',
  paidAt: '2026-12-04T02:00:00Z',
  expiresAt: null,
  refunds: [],
  ...patch,
});

describe('我的订单 wording', () => {
  it('names each status in shopper words, refunds included', () => {
    expect(memberOrderStatus(order({ status: 'pending' }))).toEqual({ text: '待支付', tone: 'pending' });
    expect(memberOrderStatus(order({ status: 'closed' })).text).toBe('已取消');
    expect(memberOrderStatus(order()).text).toBe('已完成');
    expect(memberOrderStatus(order({ refundedFen: 3000 })).text).toBe('部分退款');
    expect(memberOrderStatus(order({ refundedFen: 30000 })).text).toBe('已退款');
    expect(memberOrderStatus(order({ refunds: [{ amountFen: 100, status: 'processing', at: '2026-12-04T03:00:00Z' }] })).text).toBe(
      '退款中',
    );
    expect(memberOrderStatus(order({ status: 'flagged' })).tone).toBe('problem');
    expect([paidLabel(order()), paidLabel(order({ status: 'pending' })), paidLabel(order({ status: 'closed' }))]).toEqual([
      '实付',
      '应付',
      '未支付',
    ]);
  });

  it('lists what came off the amount, points at 100 a yuan', () => {
    expect(discountsText(order({ couponDiscountFen: 2000, pointsBurned: 500 }))).toBe('券 -¥20.00 · 积分 -¥5.00');
    expect(discountsText(order())).toBe('');
    expect(discountsText(order({ memberDiscountFen: 4500, memberPricePermille: 850, couponDiscountFen: 2000 }))).toBe(
      '会员价 -¥45.00 · 券 -¥20.00',
    );
  });

  it('says until when an unpaid order can be paid: a time today, a date on another day', () => {
    const now = new Date('2026-12-04T06:00:00Z'); // 14:00 in Beijing
    expect(payByText('2026-12-04T06:15:00Z', now)).toBe('请在 14:15 前支付');
    expect(payByText('2026-12-05T06:15:00Z', now)).toMatch(/^请在 2026[-/年.]12[-/月.]0?5.* 14:15 前支付$/);
  });
});
