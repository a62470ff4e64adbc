import { svgDataUri } from '../../utils/svg-image';

/** Line drawings on a 24×24 grid for the icon grids (首页, 我的); drawn in the item's colour. */
const GLYPHS = {
  coupon:
    '<path d="M3.5 7A1.5 1.5 0 0 1 5 5.5h14A1.5 1.5 0 0 1 20.5 7v2.6a2.4 2.4 0 0 0 0 4.8V17a1.5 1.5 0 0 1-1.5 1.5H5' +
    'A1.5 1.5 0 0 1 3.5 17v-2.6a2.4 2.4 0 0 0 0-4.8z"/><path d="M9.5 9l2.5 3 2.5-3M12 12v4M9.8 13.2h4.4"/>',
  gift:
    '<rect x="3.5" y="8" width="17" height="4" rx="1"/><path d="M5 12v7.5h14V12M12 8v11.5"/>' +
    '<path d="M12 8c-1.5-3.5-5.5-3.5-5 -1s5 1 5 1zM12 8c1.5-3.5 5.5-3.5 5-1s-5 1-5 1z"/>',
  pay: '<rect x="3" y="5.5" width="18" height="13" rx="2"/><path d="M3 10h18M7 14.5h4"/>',
  crown: '<path d="M3.5 8l4.3 4L12 5.5l4.2 6.5 4.3-4-1.8 10.5H5.3z"/><path d="M8 15h8"/>',
  orders: '<rect x="5" y="3.5" width="14" height="17" rx="2"/><path d="M8.5 8h7M8.5 12h7M8.5 16h4"/>',
  bell: '<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 1.5h-15z"/><path d="M10 20.5h4"/>',
  points: '<circle cx="12" cy="12" r="8.5"/><path d="M10 16.5V7.5h3a2.5 2.5 0 0 1 0 5h-3"/>',
  service:
    '<path d="M4.5 14v-2a7.5 7.5 0 0 1 15 0v2"/><rect x="3.5" y="13" width="4" height="6" rx="1.5"/>' +
    '<rect x="16.5" y="13" width="4" height="6" rx="1.5"/><path d="M18.5 19c0 1.2-1.8 2-4.5 2"/>',
  user: '<circle cx="12" cy="8" r="4"/><path d="M4.5 20c.8-3.8 3.9-6 7.5-6s6.7 2.2 7.5 6"/>',
  shield: '<path d="M12 3.5l7 2.5v5.5c0 4.5-3 7.8-7 9-4-1.2-7-4.5-7-9V6z"/><path d="M9 12l2.2 2.2L15.5 10"/>',
  doc: '<path d="M6 3.5h8.5L19 8v12.5H6z"/><path d="M14 3.5V8h5M9 12.5h7M9 16h7"/>',
  leave: '<path d="M14 4.5H6.5v15H14"/><path d="M10.5 12h9M16.5 8.5 20 12l-3.5 3.5"/>',
  staff: '<rect x="4" y="7" width="16" height="12.5" rx="2"/><path d="M9 7V5.5h6V7M4 12.5h16"/>',
  store:
    '<path d="M4 9.5 5.5 4.5h13L20 9.5M4 9.5h16v0a2.7 2.7 0 0 1-5.3 0 2.7 2.7 0 0 1-5.4 0A2.7 2.7 0 0 1 4 9.5z"/>' +
    '<path d="M5.5 12.5v7h13v-7M10 19.5v-4h4v4"/>',
  qr:
    '<rect x="3.5" y="3.5" width="7" height="7" rx="1.5"/><rect x="13.5" y="3.5" width="7" height="7" rx="1.5"/>' +
    '<rect x="3.5" y="13.5" width="7" height="7" rx="1.5"/><path d="M14 14h2.5v2.5M20.5 14v.01M14 20.5h.01M17.5 20.5h3v-3"/>',
  wallet: '<path d="M4 7.5A2 2 0 0 1 6 5.5h11.5v3"/><rect x="4" y="8.5" width="16.5" height="11" rx="2"/>' + '<path d="M16 14h1.5"/>',
} as const;

export type GlyphName = keyof typeof GLYPHS;

const cache = new Map<string, string>();

/** The glyph as an image (data URL), stroked in `color` (#rrggbb). */
export function glyphImage(name: GlyphName, color: string): string {
  const key = `${name}${color}`;
  let uri = cache.get(key);
  if (!uri) {
    uri = svgDataUri(
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="${color}" stroke-width="1.7" ` +
        `stroke-linecap="round" stroke-linejoin="round">${GLYPHS[name]}</svg>`,
    );
    cache.set(key, uri);
  }
  return uri;
}
