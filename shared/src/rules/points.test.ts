import { bonusPermille, checkRefund, decideBurn, maxBurnablePoints, pointsEarned, pointsExpiryFor, refundShares } from './points';

describe('points earned', () => {
  it.each([
    // paidFen, multiplier, bonus, points
    [0, 1000, 1000, 0],
    [99, 1000, 1000, 0],
    [100, 1000, 1000, 1],
    [19_999, 1000, 1000, 199],
    [10_000, 1200, 1000, 120],
    [10_050, 1200, 1000, 120], // 120.6 → 120
    [10_000, 1500, 2000, 300],
    [28_000, 1000, 2000, 560],
    [-500, 1000, 1000, 0],
    [100_000_000, 1500, 2000, 3_000_000],
  ])('paid %i fen at ×%i‰ and bonus %i‰ earns %i', (paidFen, multiplierPermille, bonus, points) => {
    expect(pointsEarned({ paidFen, multiplierPermille, bonusPermille: bonus })).toBe(points);
  });

  it('doubles on a member day or in the birthday window, never quadruples', () => {
    expect(bonusPermille({ memberDay: false, birthdayWindow: false, doublePermille: 2000 })).toBe(1000);
    expect(bonusPermille({ memberDay: true, birthdayWindow: false, doublePermille: 2000 })).toBe(2000);
    expect(bonusPermille({ memberDay: true, birthdayWindow: true, doublePermille: 2000 })).toBe(2000);
  });
});

describe('burning points', () => {
  const rule = { minPoints: 100, maxPermilleOfOrder: 500 };
  it.each([
    [0, 30_000, 0, { ok: true, points: 0, valueFen: 0 }],
    [500, 28_000, 800, { ok: true, points: 500, valueFen: 500 }],
    [99, 28_000, 800, { ok: false, code: 'POINTS_BURN_TOO_SMALL' }],
    [14_001, 28_000, 20_000, { ok: false, code: 'POINTS_BURN_TOO_LARGE' }],
    [14_000, 28_000, 20_000, { ok: true, points: 14_000, valueFen: 14_000 }],
    [900, 28_000, 800, { ok: false, code: 'POINTS_INSUFFICIENT' }],
  ])('%i points on %i fen with %i held', (points, due, balance, decision) => {
    expect(decideBurn(points, due, balance, rule)).toEqual(decision);
  });
  it('offers the most that may be burned', () => {
    expect(maxBurnablePoints(28_000, 20_000, rule)).toBe(14_000);
    expect(maxBurnablePoints(28_000, 800, rule)).toBe(800);
    expect(maxBurnablePoints(28_000, 99, rule)).toBe(0);
    expect(maxBurnablePoints(150, 5_000, rule)).toBe(0); // half of ¥1.50 is below the minimum
  });
});

describe('refunds', () => {
  it('takes back and gives back in proportion, cumulatively, so partial refunds add up to a full one', () => {
    const purchase = { paidFen: 27_500, earnedPoints: 275, burnedPoints: 500 };
    const sizes = [10_000, 1, 7_499, 10_000];
    let refunded = 0;
    let clawed = 0;
    let restored = 0;
    const fulls: boolean[] = [];
    for (const refundFen of sizes) {
      const shares = refundShares({ ...purchase, refundedBeforeFen: refunded, refundFen });
      refunded += refundFen;
      clawed += shares.clawbackPoints;
      restored += shares.restorePoints;
      fulls.push(shares.full);
    }
    expect({ clawed, restored, fulls }).toEqual({ clawed: 275, restored: 500, fulls: [false, false, false, true] });
  });

  it.each([
    // a half refund of ¥275 paid, 275 earned, 500 burned
    [
      { paidFen: 27_500, earnedPoints: 275, burnedPoints: 500, refundedBeforeFen: 0, refundFen: 13_750 },
      { clawbackPoints: 137, restorePoints: 250, full: false },
    ],
    [
      { paidFen: 27_500, earnedPoints: 275, burnedPoints: 500, refundedBeforeFen: 13_750, refundFen: 13_750 },
      { clawbackPoints: 138, restorePoints: 250, full: true },
    ],
    [
      { paidFen: 100, earnedPoints: 1, burnedPoints: 0, refundedBeforeFen: 0, refundFen: 99 },
      { clawbackPoints: 0, restorePoints: 0, full: false },
    ],
  ])('%j → %j', (input, shares) => {
    expect(refundShares(input)).toMatchObject(shares);
  });

  it('returns every step of the price in proportion: the shares of all refunds sum exactly to the sale', () => {
    // ¥1,000.03 gross at 8.5折: −15,000 member price, −2,000 coupon, −1,003 points, 67,000 paid.
    const sale = { grossFen: 85_003 + 15_000, memberDiscountFen: 15_000, couponDiscountFen: 2_000, burnedPoints: 1_003 };
    const paidFen = sale.grossFen - sale.memberDiscountFen - sale.couponDiscountFen - sale.burnedPoints;
    for (const sizes of [[paidFen], [1, 2, 3, paidFen - 6], [33_333, 33_333, paidFen - 66_666], [7, paidFen - 7]]) {
      let refunded = 0;
      const sum = { gross: 0, member: 0, coupon: 0, points: 0 };
      for (const refundFen of sizes) {
        const s = refundShares({ paidFen, earnedPoints: 0, ...sale, refundedBeforeFen: refunded, refundFen });
        refunded += refundFen;
        // Each refund's own numbers add up like the sale's.
        expect(s.grossShareFen - s.memberDiscountShareFen - s.couponDiscountShareFen - s.restorePoints).toBe(refundFen);
        sum.gross += s.grossShareFen;
        sum.member += s.memberDiscountShareFen;
        sum.coupon += s.couponDiscountShareFen;
        sum.points += s.restorePoints;
      }
      expect(sum).toEqual({
        gross: sale.grossFen,
        member: sale.memberDiscountFen,
        coupon: sale.couponDiscountFen,
        points: sale.burnedPoints,
      });
    }
    // A half refund: half of each step, rounded down cumulatively.
    expect(
      refundShares({
        paidFen: 100,
        earnedPoints: 0,
        burnedPoints: 0,
        memberDiscountFen: 15,
        couponDiscountFen: 3,
        refundedBeforeFen: 0,
        refundFen: 50,
      }),
    ).toEqual({
      clawbackPoints: 0,
      restorePoints: 0,
      full: false,
      memberDiscountShareFen: 7,
      couponDiscountShareFen: 1,
      grossShareFen: 58,
    });
  });

  it('refuses a refund above what was paid, or not positive', () => {
    expect(checkRefund(27_500, 13_750, 13_750)).toBeNull();
    expect(checkRefund(27_500, 13_750, 13_751)).toBe('REFUND_EXCEEDS_PAID');
    expect(checkRefund(27_500, 0, 0)).toBe('REFUND_AMOUNT_INVALID');
    expect(checkRefund(27_500, 0, 1.5)).toBe('REFUND_AMOUNT_INVALID');
  });
});

describe('points expiry', () => {
  it('ends at 23:59:59 Shanghai on 31 December of the year after the one earned in (business calendar)', () => {
    expect(pointsExpiryFor(new Date('2026-03-01T00:00:00Z'), 480).toISOString()).toBe('2027-12-31T15:59:59.000Z');
    // 2026-12-31 16:30 UTC is already 2027-01-01 in Shanghai: earned in 2027, expires end of 2028.
    expect(pointsExpiryFor(new Date('2026-12-31T16:30:00Z'), 480).toISOString()).toBe('2028-12-31T15:59:59.000Z');
    expect(pointsExpiryFor(new Date('2026-12-31T15:59:59Z'), 480).toISOString()).toBe('2027-12-31T15:59:59.000Z');
  });
});
