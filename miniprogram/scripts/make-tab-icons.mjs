// Draws the tab bar's icons (首页 / 会员码 / 券包 / 我的) from the inline SVGs below into 81×81 PNGs, grey and in
// the selected colour, under src/assets/tab/. WeChat's tab bar takes PNG/JPG files only (no SVG, ≤ 40 KB each,
// 81×81 recommended), so they are rendered once here and committed. Run after changing a drawing or a colour:
//   node miniprogram/scripts/make-tab-icons.mjs
// Uses playwright-core with the machine's Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'src', 'assets', 'tab');

/** The tab bar's colours: keep in step with `tabBar.color` / `tabBar.selectedColor` in src/app.config.ts. */
const COLORS = { normal: '#8a8f99', active: '#e8453c' };

// 24×24 drawings with a 1.8 stroke: outline when idle, filled shapes when selected (as WeChat's own tabs do).
const ICONS = {
  home: (c, active) => `
    <path d="M3.5 10.2 12 3.5l8.5 6.7V19a1.5 1.5 0 0 1-1.5 1.5h-4.2v-5.6H9.2v5.6H5A1.5 1.5 0 0 1 3.5 19z"
      fill="${active ? c : 'none'}" stroke="${c}" stroke-width="1.8" stroke-linejoin="round"/>
    ${active ? '<rect x="9.9" y="15.6" width="4.2" height="4.9" rx="0.6" fill="#fff"/>' : ''}`,
  code: (c, active) => `
    <g fill="${active ? c : 'none'}" stroke="${c}" stroke-width="1.8" stroke-linejoin="round">
      <rect x="3.5" y="3.5" width="7" height="7" rx="1.6"/><rect x="13.5" y="3.5" width="7" height="7" rx="1.6"/>
      <rect x="3.5" y="13.5" width="7" height="7" rx="1.6"/>
    </g>
    <g fill="${active ? '#fff' : c}"><rect x="6" y="6" width="2" height="2" rx="0.4"/><rect x="16" y="6" width="2" height="2" rx="0.4"/>
      <rect x="6" y="16" width="2" height="2" rx="0.4"/></g>
    <g fill="${c}"><rect x="13.5" y="13.5" width="3" height="3" rx="0.6"/><rect x="17.5" y="17.5" width="3" height="3" rx="0.6"/>
      <rect x="17.5" y="13.5" width="3" height="2" rx="0.6"/><rect x="13.5" y="18.5" width="2" height="2" rx="0.6"/></g>`,
  wallet: (c, active) => `
    <path d="M3.5 7A1.5 1.5 0 0 1 5 5.5h14A1.5 1.5 0 0 1 20.5 7v2.6a2.4 2.4 0 0 0 0 4.8V17
      a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 17v-2.6a2.4 2.4 0 0 0 0-4.8z"
      fill="${active ? c : 'none'}" stroke="${c}" stroke-width="1.8" stroke-linejoin="round"/>
    <path d="M9 9.5h6M9 14.5h6" stroke="${active ? '#fff' : c}" stroke-width="1.8" stroke-linecap="round"/>`,
  mine: (c, active) => `
    <circle cx="12" cy="8" r="4.2" fill="${active ? c : 'none'}" stroke="${c}" stroke-width="1.8"/>
    <path d="M4 20.2c.8-4 4.1-6.4 8-6.4s7.2 2.4 8 6.4" fill="${active ? c : 'none'}" stroke="${c}" stroke-width="1.8"
      stroke-linecap="round" stroke-linejoin="round"/>`,
};

const svgOf = (draw, color, active) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="81" height="81" viewBox="0 0 24 24">${draw(color, active)}</svg>`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 81, height: 81 }, deviceScaleFactor: 1 });
  mkdirSync(out, { recursive: true });
  for (const [name, draw] of Object.entries(ICONS)) {
    for (const [state, color] of Object.entries(COLORS)) {
      await page.setContent(`<html><body style="margin:0;background:transparent">${svgOf(draw, color, state === 'active')}</body></html>`);
      const png = await page.locator('svg').screenshot({ omitBackground: true });
      const file = join(out, `${name}${state === 'active' ? '-active' : ''}.png`);
      writeFileSync(file, png);
      console.log(`${file.slice(out.length + 1)}  ${png.length} bytes`);
    }
  }
} finally {
  await browser.close();
}
