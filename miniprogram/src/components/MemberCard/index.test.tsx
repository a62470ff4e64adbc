import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render } from '@testing-library/react';
import type { MemberCard as MemberCardData } from '@member/shared';
import MemberCard from '.';

const card = {
  member: { id: 1, nickname: '小云', avatarUrl: null, phoneMasked: '139****2222', joined: true },
  tier: { code: 'gold', name: '金卡会员', benefits: ['积分 1.2 倍'] },
  nextTier: { code: 'diamond', name: '钻石会员' },
  pointsBalance: 2500,
  couponCount: 3,
  remainingToNextTierFen: 4_000_000,
  progressPercent: 20,
  doublePointsUntil: null,
} as unknown as MemberCardData;

describe('MemberCard', () => {
  it('shows who, the tier, points, coupons and the way to the next tier', () => {
    const { container } = render(<MemberCard card={card} />);
    expect(container.querySelector('#card-nickname')?.textContent).toBe('小云');
    expect(container.querySelector('#card-tier')?.textContent).toContain('金卡会员');
    expect(container.querySelector('#card-points')?.textContent).toBe('2500');
    expect(container.querySelector('#card-coupons')?.textContent).toBe('3');
    expect(container.querySelector('#card-progress')?.textContent).toContain('升级为 钻石会员');
    // No code button unless the page offers one (首页 switches to the 会员码 tab).
    expect(container.querySelector('#card-show-code')).toBeNull();
  });

  it('paints the tier art from the brand and opens the code, points, coupons and tier', () => {
    const handlers = { onShowCode: jest.fn(), onOpenPoints: jest.fn(), onOpenCoupons: jest.fn(), onOpenTier: jest.fn() };
    const art = { colors: ['#9a6512', '#e6bf6a'], text: '#ffffff', accent: '#fff1c9' };
    const { container } = render(<MemberCard card={card} art={art} {...handlers} />);
    const root = container.querySelector('#member-card') as HTMLElement;
    expect(root.style.background).toContain('linear-gradient');
    fireEvent.click(container.querySelector('#card-show-code')!);
    fireEvent.click(container.querySelector('#goto-points')!);
    fireEvent.click(container.querySelector('#goto-wallet')!);
    fireEvent.click(container.querySelector('#card-tier')!);
    expect(handlers.onShowCode).toHaveBeenCalledTimes(1);
    expect(handlers.onOpenPoints).toHaveBeenCalledTimes(1);
    expect(handlers.onOpenCoupons).toHaveBeenCalledTimes(1);
    expect(handlers.onOpenTier).toHaveBeenCalledTimes(1);
  });
});
