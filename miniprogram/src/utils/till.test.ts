import { describe, expect, it } from '@jest/globals';
import { codeDigits, dayLabel, groupDigits, maskName, pressDigit, refundConsequences, ticketMinutesLeft, ticketUsable } from './till';

describe('the till helpers', () => {
  it('masks a name without telling its length', () => {
    expect(maskName('张小明')).toBe('张**');
    expect(maskName('欧阳娜娜')).toBe('欧**');
    expect(maskName('王')).toBe('***');
    expect(maskName('  ')).toBe('微信用户');
    expect(maskName(null)).toBe('微信用户');
  });

  it('types digits on the number pad up to the longest code, and reads typed codes as the server does', () => {
    expect(pressDigit('66', '1')).toBe('661');
    expect(pressDigit('66', '.')).toBe('66');
    expect(pressDigit('1'.repeat(40), '2')).toBe('1'.repeat(40));
    expect(codeDigits('6612 3456-78')).toBe('6612345678');
    expect(groupDigits('661234567890')).toBe('6612 3456 7890');
  });

  it('treats the ticket as spent a little before it ends', () => {
    const member = { tillTicketExpiresAt: '2026-11-24T02:10:00.000Z' };
    expect(ticketUsable(member, new Date('2026-11-24T02:09:50Z'))).toBe(true);
    expect(ticketUsable(member, new Date('2026-11-24T02:09:57Z'))).toBe(false);
    expect(ticketMinutesLeft(member, new Date('2026-11-24T02:00:30Z'))).toBe(10);
    expect(ticketMinutesLeft(member, new Date('2026-11-24T02:11:00Z'))).toBe(0);
  });

  it('labels the days a clerk asks about most', () => {
    expect(dayLabel('2026-11-24', '2026-11-24')).toBe('今天');
    expect(dayLabel('2026-11-23', '2026-11-24')).toBe('昨天');
    expect(dayLabel('2026-03-01', '2026-03-02')).toBe('昨天');
    expect(dayLabel('2026-11-02', '2026-11-24')).toBe('11月2日');
    expect(dayLabel('2025-12-31', '2026-11-24')).toBe('2025年12月31日');
  });
});

describe('a refund’s confirmation', () => {
  it('names only what applies to the sale', () => {
    expect(refundConsequences({ pointsEarned: 295, pointsBurned: 500, couponDiscountFen: 0 }, true)).toBe(
      '本单所得积分按比例扣回，抵扣的积分按比例退回。',
    );
    expect(refundConsequences({ pointsEarned: 10, pointsBurned: 0, couponDiscountFen: 2000 }, true)).toBe(
      '本单所得积分按比例扣回，优惠券退回。',
    );
    expect(refundConsequences({ pointsEarned: 10, pointsBurned: 0, couponDiscountFen: 2000 }, false)).toBe('本单所得积分按比例扣回。');
    expect(refundConsequences({ pointsEarned: 0, pointsBurned: 0, couponDiscountFen: 0 }, true)).toBe('');
  });
});
