import {
  quintilePositions,
  quintileScore,
  quintileThresholds,
  rfmOf,
  rfmSegmentOf,
  rfmThresholds,
  uncoveredScoreCombinations,
  type RfmMetrics,
  type RfmSegmentRule,
} from './rfm';

/** The table config/defaults.json ships (`segments.rules`). */
const RULES: RfmSegmentRule[] = [
  { segment: 'high_value', r: [4, 5], f: [4, 5], m: [4, 5] },
  { segment: 'loyal', r: [3, 5], f: [4, 5], m: [1, 5] },
  { segment: 'new', r: [4, 5], f: [1, 1], m: [1, 5] },
  { segment: 'potential', r: [4, 5], f: [2, 3], m: [1, 5] },
  { segment: 'needs_attention', r: [3, 3], f: [1, 3], m: [1, 5] },
  { segment: 'at_risk', r: [1, 2], f: [3, 5], m: [1, 5] },
  { segment: 'at_risk', r: [1, 2], f: [1, 5], m: [3, 5] },
  { segment: 'dormant', r: [1, 2], f: [1, 5], m: [1, 5] },
];

describe('quintile thresholds', () => {
  it.each([
    // count → positions in the values sorted worst to best
    [10, [1, 3, 5, 7]],
    [5, [0, 1, 2, 3]],
    [11, [2, 4, 6, 8]],
    [3, [0, 1, 1, 2]],
    [1, [0, 0, 0, 0]],
    [1_000_000, [199_999, 399_999, 599_999, 799_999]],
  ])('%i values → positions %j', (count, positions) => {
    expect(quintilePositions(count)).toEqual(positions);
  });

  it('refuses an empty population', () => {
    expect(() => quintilePositions(0)).toThrow(RangeError);
    expect(quintileThresholds([], 'higher')).toBeNull();
  });

  it('ten distinct values fall two to a score, in either direction', () => {
    const values = [50, 10, 40, 100, 20, 90, 30, 80, 60, 70];
    const higher = quintileThresholds(values, 'higher')!;
    expect(higher).toEqual([20, 40, 60, 80]);
    expect([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((v) => quintileScore(v, higher, 'higher'))).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]);
    // Days since the last purchase: fewer is better.
    const lower = quintileThresholds(values, 'lower')!;
    expect(lower).toEqual([90, 70, 50, 30]);
    expect([100, 90, 80, 70, 60, 50, 40, 30, 20, 10].map((v) => quintileScore(v, lower, 'lower'))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('ties score alike, where their crowd starts: seven one-time buyers of ten are all F=1', () => {
    const frequency = [1, 1, 1, 1, 1, 1, 1, 2, 3, 9];
    const thresholds = quintileThresholds(frequency, 'higher')!;
    expect(thresholds).toEqual([1, 1, 1, 2]);
    // 2 has seven values below it: the fourth fifth; NTILE would have put two of the ones in the second fifth.
    expect([1, 2, 3, 9].map((v) => quintileScore(v, thresholds, 'higher'))).toEqual([1, 4, 5, 5]);
    // Everybody equal: everybody 1, whatever order the rows come in.
    expect(quintileScore(7, quintileThresholds([7, 7, 7], 'higher')!, 'higher')).toBe(1);
  });

  it('a score is the fifth of the value’s first rank among its ties (checked against a brute-force ranking)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const count = 1 + Math.floor(random() * 40);
      const values = Array.from({ length: count }, () => Math.floor(random() * 12));
      for (const better of ['higher', 'lower'] as const) {
        const thresholds = quintileThresholds(values, better)!;
        for (const value of values) {
          const worse = values.filter((v) => (better === 'higher' ? v < value : v > value)).length;
          expect(quintileScore(value, thresholds, better)).toBe(1 + Math.floor((5 * worse) / count));
        }
      }
    }
  });
});

describe('RFM segments', () => {
  it.each([
    // r, f, m → segment
    [5, 5, 5, 'high_value'],
    [4, 4, 4, 'high_value'],
    [4, 5, 3, 'loyal'],
    [3, 4, 1, 'loyal'],
    [5, 1, 5, 'new'],
    [4, 1, 1, 'new'],
    [5, 2, 1, 'potential'],
    [4, 3, 5, 'potential'],
    [3, 3, 3, 'needs_attention'],
    [3, 1, 5, 'needs_attention'],
    [2, 4, 1, 'at_risk'],
    [1, 3, 3, 'at_risk'],
    [2, 1, 4, 'at_risk'], // spent much, bought once, long ago
    [2, 2, 2, 'dormant'],
    [1, 1, 1, 'dormant'],
  ] as const)('r=%i f=%i m=%i → %s', (r, f, m, segment) => {
    expect(rfmSegmentOf({ r, f, m }, RULES)).toBe(segment);
  });

  it('the default table covers all 125 combinations; a table with a hole is caught', () => {
    expect(uncoveredScoreCombinations(RULES)).toEqual([]);
    const holed = RULES.filter((rule) => rule.segment !== 'dormant');
    expect(uncoveredScoreCombinations(holed)).toContainEqual({ r: 1, f: 1, m: 1 });
    expect(() => rfmSegmentOf({ r: 1, f: 1, m: 1 }, holed)).toThrow(/no RFM segment rule/);
  });

  it('members without a purchase in the window get no scores: lapsed if they bought before, never_purchased if never', () => {
    const population: RfmMetrics[] = [
      { recencyDays: 3, frequency: 4, monetaryFen: 90_000 },
      { recencyDays: 200, frequency: 1, monetaryFen: 5_000 },
      { recencyDays: 400, frequency: 0, monetaryFen: 0 },
      { recencyDays: null, frequency: 0, monetaryFen: 0 },
    ];
    const thresholds = rfmThresholds(population)!;
    // Only the two buyers form the population: 3 days is better than the threshold 200, 200 is not.
    expect(thresholds).toEqual({ recencyDays: [200, 200, 3, 3], frequency: [1, 1, 4, 4], monetaryFen: [5_000, 5_000, 90_000, 90_000] });
    expect(population.map((member) => rfmOf(member, thresholds, RULES))).toEqual([
      { scores: { r: 3, f: 3, m: 3 }, segment: 'needs_attention' },
      { scores: { r: 1, f: 1, m: 1 }, segment: 'dormant' },
      { scores: null, segment: 'lapsed' },
      { scores: null, segment: 'never_purchased' },
    ]);
    expect(rfmThresholds(population.slice(2))).toBeNull();
  });

  it('without thresholds (too few buyers to rank) a buyer is unranked, and a member who just joined and bought is new', () => {
    const buyer: RfmMetrics = { recencyDays: 0, frequency: 5, monetaryFen: 50_000 };
    expect(rfmOf(buyer, null, RULES)).toEqual({ scores: null, segment: 'unranked' });
    expect(rfmOf(buyer, null, RULES, true)).toEqual({ scores: null, segment: 'new' });
    expect(rfmOf({ recencyDays: null, frequency: 0, monetaryFen: 0 }, null, RULES, true)).toEqual({
      scores: null,
      segment: 'never_purchased',
    });
    // With thresholds the scores stay (they are true ranks); only the label says what a new member is.
    const thresholds = rfmThresholds([buyer, { recencyDays: 100, frequency: 1, monetaryFen: 1_000 }])!;
    expect(rfmOf(buyer, thresholds, RULES, true)).toEqual({ scores: { r: 3, f: 3, m: 3 }, segment: 'new' });
  });
});
