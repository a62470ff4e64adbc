import {
  birthdayWindowContaining,
  birthdayWindowOpeningOn,
  decideBirthdayChange,
  memberBirthdayWindow,
  type BirthdayRule,
  type BirthdayWindowKind,
} from './birthday';

const rule: BirthdayRule = { changeCooldownMonths: 12, maxAgeYears: 120 };
const decide = (current: string | null, lastSetOn: string | null, requested: string, today: string) =>
  decideBirthdayChange({ current, lastSetOn, requested, today, rule });

describe('birthday change rule', () => {
  it('lets a member set a first birthday', () => {
    expect(decide(null, null, '1990-05-20', '2026-11-23')).toEqual({ ok: true, changed: true });
  });

  it('refuses a second change within the cooldown and says when it becomes possible', () => {
    expect(decide('1990-05-20', '2026-03-01', '1990-05-21', '2027-02-28')).toEqual({
      ok: false,
      code: 'BIRTHDAY_CHANGE_TOO_SOON',
      nextChangeOn: '2027-03-01',
    });
    expect(decide('1990-05-20', '2026-03-01', '1990-05-21', '2027-03-01')).toEqual({ ok: true, changed: true });
  });

  it('treats re-sending the same birthday as a successful no-op, even inside the cooldown', () => {
    expect(decide('1990-05-20', '2026-11-23', '1990-05-20', '2026-11-23')).toEqual({ ok: true, changed: false });
  });

  it('clamps a cooldown that starts on 29 February', () => {
    expect(decide('2000-01-01', '2024-02-29', '2000-01-02', '2025-02-27')).toMatchObject({ nextChangeOn: '2025-02-28' });
  });

  it.each([
    ['1990-02-30', 'not a date'],
    ['1990-13-01', 'no month 13'],
    ['19900520', 'wrong format'],
    ['2026-11-24', 'in the future'],
    ['1900-01-01', 'older than 120 years'],
  ])('rejects %s (%s)', (requested) => {
    expect(decide(null, null, requested, '2026-11-23')).toEqual({ ok: false, code: 'BIRTHDAY_INVALID' });
  });

  it('accepts 29 February of a leap year and today', () => {
    expect(decide(null, null, '2000-02-29', '2026-11-23').ok).toBe(true);
    expect(decide(null, null, '2026-11-23', '2026-11-23').ok).toBe(true);
  });
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('birthday windows', () => {
  it.each<[string, BirthdayWindowKind, { key: string; year: number; month: number; days: number[]; closesOn: string } | null]>([
    ['2026-11-01', 'month', { key: '2026-11', year: 2026, month: 11, days: range(1, 30), closesOn: '2026-11-30' }],
    ['2026-11-02', 'month', null],
    ['2026-11-30', 'month', null],
    ['2026-12-01', 'month', { key: '2026-12', year: 2026, month: 12, days: range(1, 31), closesOn: '2026-12-31' }],
    ['2027-01-01', 'month', { key: '2027-01', year: 2027, month: 1, days: range(1, 31), closesOn: '2027-01-31' }],
    // February always covers the 29th, closing on the month's real last day.
    ['2027-02-01', 'month', { key: '2027-02', year: 2027, month: 2, days: range(1, 29), closesOn: '2027-02-28' }],
    ['2028-02-01', 'month', { key: '2028-02', year: 2028, month: 2, days: range(1, 29), closesOn: '2028-02-29' }],
    ['2026-11-03', 'day', { key: '2026-11-03', year: 2026, month: 11, days: [3], closesOn: '2026-11-03' }],
    ['2026-12-31', 'day', { key: '2026-12-31', year: 2026, month: 12, days: [31], closesOn: '2026-12-31' }],
    // 29 February celebrates on the 28th in non-leap years, on its own day in leap years.
    ['2027-02-28', 'day', { key: '2027-02-28', year: 2027, month: 2, days: [28, 29], closesOn: '2027-02-28' }],
    ['2028-02-28', 'day', { key: '2028-02-28', year: 2028, month: 2, days: [28], closesOn: '2028-02-28' }],
    ['2028-02-29', 'day', { key: '2028-02-29', year: 2028, month: 2, days: [29], closesOn: '2028-02-29' }],
    ['2100-02-28', 'day', { key: '2100-02-28', year: 2100, month: 2, days: [28, 29], closesOn: '2100-02-28' }],
    ['2000-02-28', 'day', { key: '2000-02-28', year: 2000, month: 2, days: [28], closesOn: '2000-02-28' }],
  ])('on %s a %s window opens: %j', (date, kind, expected) => {
    const window = birthdayWindowOpeningOn(date, kind);
    expect(window && { key: window.key, year: window.year, month: window.month, days: window.days, closesOn: window.closesOn }).toEqual(
      expected,
    );
    if (window) expect(window).toMatchObject({ kind, opensOn: date });
  });

  it.each<[string, BirthdayWindowKind, string]>([
    ['2026-11-01', 'month', '2026-11'],
    ['2026-11-17', 'month', '2026-11'],
    ['2026-11-30', 'month', '2026-11'],
    ['2027-02-28', 'month', '2027-02'],
    ['2026-11-17', 'day', '2026-11-17'],
    ['2027-02-28', 'day', '2027-02-28'],
  ])('%s lies in the %s window %s', (date, kind, key) => {
    const window = birthdayWindowContaining(date, kind);
    expect(window.key).toBe(key);
    expect(window.opensOn <= date && date <= window.closesOn).toBe(true);
  });

  it('puts every birthday of a year in exactly one window, both kinds, leap year or not', () => {
    for (const year of [2026, 2027, 2028]) {
      for (const kind of ['month', 'day'] as const) {
        const covered = new Map<string, number>();
        for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
          const window = birthdayWindowOpeningOn(new Date(t).toISOString().slice(0, 10), kind);
          for (const day of window?.days ?? []) covered.set(`${window!.month}-${day}`, (covered.get(`${window!.month}-${day}`) ?? 0) + 1);
        }
        // 366 possible birthdays (29 February included), each opened once a year.
        expect(covered.size).toBe(366);
        expect([...covered.values()].every((n) => n === 1)).toBe(true);
      }
    }
  });

  it.each<[number, number, number, BirthdayWindowKind, string]>([
    [2, 29, 2027, 'day', '2027-02-28'],
    [2, 29, 2028, 'day', '2028-02-29'],
    [2, 29, 2027, 'month', '2027-02'],
    [11, 3, 2026, 'day', '2026-11-03'],
    [11, 3, 2026, 'month', '2026-11'],
  ])('a member born %i/%i has the %i %s window %s', (month, day, year, kind, key) => {
    expect(memberBirthdayWindow(month, day, year, kind).key).toBe(key);
  });

  it('refuses what is not a date or a birthday', () => {
    expect(() => birthdayWindowOpeningOn('2026-02-30', 'day')).toThrow(RangeError);
    expect(() => memberBirthdayWindow(2, 30, 2026, 'day')).toThrow(RangeError);
  });
});
