import { describe, expect, it } from '@jest/globals';
import type { Brand, ClaimCentreEntry } from '@member/shared';
import { bannerCouponOf, dialable, tierArtOf, tierCardStyle } from './brand';

const art = (from: string) => ({ colors: [from, '#000000'], text: '#ffffff', accent: '#eeeeee' });
const brand = { tierCards: { normal: art('#111111'), gold: art('#c8922e') } } as unknown as Brand;

const entry = (id: number, canClaim: boolean) => ({ template: { id }, canClaim }) as unknown as ClaimCentreEntry;

describe('brand helpers', () => {
  it('paints a tier with its own art, else the first configured, else nothing', () => {
    expect(tierArtOf(brand, 'gold')?.colors[0]).toBe('#c8922e');
    expect(tierArtOf(brand, 'diamond')?.colors[0]).toBe('#111111');
    expect(tierArtOf(null, 'gold')).toBeNull();
    expect(tierCardStyle(art('#c8922e'))).toEqual({ background: 'linear-gradient(135deg, #c8922e 0%, #000000 100%)', color: '#ffffff' });
    expect(tierCardStyle(null)).toEqual({});
  });

  it('puts the newest claimable coupon on the banner, none when nothing can be claimed', () => {
    expect(bannerCouponOf([entry(3, true), entry(9, false), entry(5, true)])?.template.id).toBe(5);
    expect(bannerCouponOf([entry(9, false)])).toBeNull();
    expect(bannerCouponOf([])).toBeNull();
  });

  it('dials the service number without its dashes', () => {
    expect(dialable('400-820 8820')).toBe('4008208820');
    expect(dialable('+86 21 1234 5678')).toBe('+862112345678');
  });
});
