import { decideBirthdayChange, type BirthdayRule } from './birthday';

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
