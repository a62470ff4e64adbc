import { DateTime } from 'luxon';
import { addBusinessDays, businessDate, startOfBusinessDay } from './clock';

describe('business calendar', () => {
  it('finds local midnight in Asia/Shanghai, which is 16:00 UTC the day before', () => {
    expect(startOfBusinessDay(new Date('2026-11-23T02:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(startOfBusinessDay(new Date('2026-11-23T15:59:59.999Z'), 'Asia/Shanghai').toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(startOfBusinessDay(new Date('2026-11-23T16:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(businessDate(new Date('2026-11-23T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-24');
  });

  it('agrees with luxon at every quarter hour of a year in zones with DST and odd offsets', () => {
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 15 * 60_000 + 7_000) {
        const expected = DateTime.fromMillis(t, { zone }).startOf('day').toMillis();
        if (startOfBusinessDay(new Date(t), zone).getTime() !== expected) throw new Error(`${zone} ${new Date(t).toISOString()}`);
      }
    }
  });

  it('adds calendar days across a DST change', () => {
    // New York springs forward on 2026-03-08: that day has 23 hours.
    const before = new Date('2026-03-07T17:00:00Z'); // 12:00 local on the 7th
    expect(addBusinessDays(before, 2, 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(addBusinessDays(new Date('2026-11-23T02:00:00Z'), 7, 'Asia/Shanghai').toISOString()).toBe('2026-11-29T16:00:00.000Z');
  });
});
