import { describe, expect, it } from '@jest/globals';
import type { ClaimCentreEntry } from '@member/shared';
import { arrangeClaimCentre, needsToJoin, usableByTemplate } from './claim-centre';

const entry = (id: number, canClaim: boolean, blockedBy: ClaimCentreEntry['blockedBy'] = null): ClaimCentreEntry =>
  ({
    template: { id },
    remainingStock: 10,
    claimedByMe: 0,
    canClaim,
    blockedBy,
    blockedText: blockedBy ? '已领完' : null,
  }) as ClaimCentreEntry;

describe('the claim centre order', () => {
  it('claimable newest first, then held (with the coupon to use), then blocked', () => {
    const arranged = arrangeClaimCentre(
      [
        entry(1, true),
        entry(2, false, 'COUPON_LIMIT_REACHED'),
        entry(3, false, 'COUPON_OUT_OF_STOCK'),
        entry(4, true),
        entry(5, false, 'COUPON_LIMIT_REACHED'),
      ],
      new Map([
        [2, 20],
        [5, 50],
      ]),
    );
    expect(arranged.map((a) => [a.entry.template.id, a.group, a.couponId])).toEqual([
      [4, 'claimable', null],
      [1, 'claimable', null],
      [5, 'claimed', 50],
      [2, 'claimed', 20],
      [3, 'blocked', null],
    ]);
  });

  it('knows a visitor who has not joined', () => {
    expect(needsToJoin([entry(1, false, 'MEMBER_NOT_JOINED')])).toBe(true);
    expect(needsToJoin([entry(1, true)])).toBe(false);
  });

  it('uses the first usable coupon of a template (the wallet lists the soonest to expire first)', () => {
    expect(
      usableByTemplate([
        { id: 9, templateId: 1 },
        { id: 7, templateId: 1 },
        { id: 8, templateId: 2 },
      ]),
    ).toEqual(
      new Map([
        [1, 9],
        [2, 8],
      ]),
    );
  });
});
