import { businessDate } from '../common/clock';
import { spendWindowStart } from '../points/spend';
import { CardCalendar } from './card-calendar';

/** The memo answers exactly what the un-memoized functions answer, across DST, month ends and clock jumps. */
describe('CardCalendar', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago'];
  const anchors = [
    '2026-03-08T06:59:59.500Z',
    '2026-03-08T07:00:00.250Z',
    '2026-11-01T05:30:00.999Z',
    '2026-03-31T16:00:00.001Z',
    '2028-02-29T15:59:59.999Z',
    '2026-10-25T00:59:59.750Z',
    '2026-04-05T03:00:00.000Z',
  ];

  it.each(zones)('agrees with businessDate and spendWindowStart in %s', (zone) => {
    for (const months of [1, 12]) {
      const calendar = new CardCalendar(zone, months);
      let seed = 42;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const instants: number[] = [];
      for (const anchor of anchors) {
        const base = Date.parse(anchor);
        // Runs of requests close together (the memo hits), then jumps forwards and back (it misses).
        for (let i = 0; i < 60; i++) instants.push(base + Math.floor((random() - 0.5) * 4 * 3_600_000), base + i * 137, base - i * 997);
      }
      for (const t of instants) {
        const now = new Date(t);
        expect(calendar.today(now)).toBe(businessDate(now, zone));
        expect(calendar.windowStart(now).getTime()).toBe(spendWindowStart(now, months, zone).getTime());
      }
    }
  });
});
