import { DateTime } from 'luxon';
import { addBusinessDays, businessDate, isSettableClock, ManualClock, ShiftedClock, startOfBusinessDay, SystemClock } from './clock';

describe('business calendar', () => {
  it('finds local midnight in Asia/Shanghai, which is 16:00 UTC the day before', () => {
    expect(startOfBusinessDay(new Date('2026-11-23T02:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(startOfBusinessDay(new Date('2026-11-23T15:59:59.999Z'), 'Asia/Shanghai').toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(startOfBusinessDay(new Date('2026-11-23T16:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(businessDate(new Date('2026-11-23T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-24');
  });

  it('agrees with luxon around every local midnight of a year in zones with DST and odd offsets', () => {
    // The memo is keyed by quarter hour; the instants that could expose a wrong key are those beside midnight.
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      let midnight = DateTime.fromMillis(Date.UTC(2026, 0, 1), { zone }).startOf('day');
      for (let day = 0; day < 366; day++, midnight = midnight.plus({ days: 1 }).startOf('day')) {
        for (const offset of [-60_000, -1, 0, 1, 7 * 60_000 + 30_000, 14 * 60_000 + 59_999]) {
          const t = midnight.toMillis() + offset;
          const expected = DateTime.fromMillis(t, { zone }).startOf('day').toMillis();
          if (startOfBusinessDay(new Date(t), zone).getTime() !== expected) throw new Error(`${zone} ${new Date(t).toISOString()}`);
        }
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

describe('test clocks', () => {
  it('a shifted clock stands where it was set and keeps running from there', async () => {
    const clock = new ShiftedClock();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
    clock.set('2027-02-28T00:05:00+08:00');
    const first = clock.now().getTime();
    expect(Math.abs(first - Date.parse('2027-02-27T16:05:00Z'))).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(first + 25);
  });

  it('only the test clocks can be set', () => {
    expect(isSettableClock(new ShiftedClock())).toBe(true);
    expect(isSettableClock(new ManualClock())).toBe(true);
    expect(isSettableClock(new SystemClock())).toBe(false);
  });
});
