import { quietUntil } from './quiet-hours';

const SH = 'Asia/Shanghai';
const at = (beijing: string) => new Date(`${beijing}+08:00`);

describe('quiet hours (Asia/Shanghai)', () => {
  const night = { start: '21:00', end: '09:00' };

  it('is quiet from 21:00 to 08:59:59 across midnight, and says when it ends', () => {
    expect(quietUntil(at('2026-12-03T20:59:59'), night, SH)).toBeNull();
    expect(quietUntil(at('2026-12-03T21:00:00'), night, SH)).toEqual(at('2026-12-04T09:00:00'));
    expect(quietUntil(at('2026-12-03T23:59:59'), night, SH)).toEqual(at('2026-12-04T09:00:00'));
    expect(quietUntil(at('2026-12-04T00:00:00'), night, SH)).toEqual(at('2026-12-04T09:00:00'));
    expect(quietUntil(at('2026-12-04T08:59:59'), night, SH)).toEqual(at('2026-12-04T09:00:00'));
    expect(quietUntil(at('2026-12-04T09:00:00'), night, SH)).toBeNull();
    // The instant is UTC: 13:30 UTC is 21:30 in Shanghai.
    expect(quietUntil(new Date('2026-12-03T13:30:00Z'), night, SH)).toEqual(new Date('2026-12-04T01:00:00Z'));
  });

  it('handles a window within one day, and no window at all', () => {
    const lunch = { start: '12:00', end: '13:30' };
    expect(quietUntil(at('2026-12-03T11:59:00'), lunch, SH)).toBeNull();
    expect(quietUntil(at('2026-12-03T12:45:00'), lunch, SH)).toEqual(at('2026-12-03T13:30:00'));
    expect(quietUntil(at('2026-12-03T13:30:00'), lunch, SH)).toBeNull();
    expect(quietUntil(at('2026-12-03T03:00:00'), { start: '00:00', end: '00:00' }, SH)).toBeNull();
  });
});
