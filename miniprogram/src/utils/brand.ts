import { tierCardBackground, type Brand, type ClaimCentreEntry, type TierCardArt, type TierCode } from '@member/shared';

/** A tier's card art; a tier without its own uses the first configured one (config checks every tier has one). */
export function tierArtOf(brand: Brand | null, tier: TierCode): TierCardArt | null {
  if (!brand) return null;
  return brand.tierCards[tier] ?? Object.values(brand.tierCards)[0] ?? null;
}

/** Inline style for a card painted with tier art; empty before the brand arrived (the stylesheet's look). */
export function tierCardStyle(art: TierCardArt | null): Record<string, string> {
  return art ? { background: tierCardBackground(art), color: art.text } : {};
}

/** The campaign banner on 首页: the newest coupon the member can claim now (highest template id), or none. */
export function bannerCouponOf(entries: readonly ClaimCentreEntry[]): ClaimCentreEntry | null {
  return entries
    .filter((entry) => entry.canClaim)
    .reduce<ClaimCentreEntry | null>((newest, entry) => {
      return !newest || entry.template.id > newest.template.id ? entry : newest;
    }, null);
}

/** The phone number as dialled: digits and a leading +, no spaces or dashes. */
export function dialable(phone: string): string {
  return phone.replace(/[^\d+]/g, '');
}
