/**
 * The programme's brand as the app shows it (GET /api/public-config → `brand`): name, slogan, logo, colours,
 * customer service, and the art of each tier's card. A retailer changes it in config (`brand`), not in code.
 */
import type { TierCode } from './enums';

/** A tier card's look: a diagonal gradient through `colors` (2–4 stops), text and accent colours on it. */
export interface TierCardArt {
  colors: string[];
  /** Text on the card (white on dark art, dark on light art). */
  text: string;
  /** Small highlights on the card: the tier badge, the progress bar. */
  accent: string;
}

export interface BrandFaq {
  question: string;
  answer: string;
}

export interface Brand {
  /** The programme's name (config `appName`). */
  name: string;
  slogan: string;
  /** The logo as a data URL (an inline SVG from config), ready for `<Image src>`. */
  logo: string;
  primaryColor: string;
  accentColor: string;
  service: {
    /** Customer service phone, as dialled ("400-820-8820"). */
    phone: string;
    /** When someone answers ("每天 09:00–21:00"). */
    hours: string;
    faq: BrandFaq[];
  };
  /** The card art per tier; a tier without its own art uses the lowest tier's. */
  tierCards: Partial<Record<TierCode, TierCardArt>>;
}

/** A 6-digit hex colour, the one form config accepts (the app builds gradients and alpha from it). */
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** CSS for a tier card's background. */
export function tierCardBackground(art: TierCardArt): string {
  const last = art.colors.length - 1;
  const stops = art.colors.map((color, index) => `${color} ${last === 0 ? 0 : Math.round((index / last) * 100)}%`);
  return `linear-gradient(135deg, ${stops.join(', ')})`;
}

/** `#rrggbb` with an alpha (0–1) as rgba(), for tints of the brand colours. */
export function withAlpha(hex: string, alpha: number): string {
  const value = HEX_COLOR.test(hex) ? parseInt(hex.slice(1), 16) : 0;
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}
