import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { REPO_ROOT } from './processes';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test', 'e2e', 'screenshots');
/**
 * Where the pictures the README shows are written: the tracked test/e2e/readme/ only when asked
 * (`README_SHOTS=1 npm test`), so an ordinary test run leaves the work tree clean; otherwise beside the other
 * screenshots (gitignored), where they can still be looked at.
 */
export const README_SHOT_DIR = process.env.README_SHOTS === '1' ? join(REPO_ROOT, 'test', 'e2e', 'readme') : join(SCREENSHOT_DIR, 'readme');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium driven by playwright-core (never a downloaded browser), with the flags this machine needs. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (CI does this)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A phone-sized page, as a shopper or a clerk holds it: 390×844 (the size issue 16 judges screens at), with
 * touch, since NutUI's number pad answers touches.
 */
export async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return context.newPage();
}

/** Saves a full-page screenshot for a person to look at (gitignored). */
export async function snapshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Taro's H5 router slides pages in and toasts fade: let them settle so the picture shows one page, still.
  await page
    .waitForFunction("document.getAnimations().every((animation) => animation.playState !== 'running')", undefined, { timeout: 3000 })
    .catch(() => undefined);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * The phone's screen (not the full page) for the README's gallery: tracked under test/e2e/readme/ when
 * README_SHOTS=1, otherwise beside the other screenshots.
 */
export async function readmeShot(page: Page, name: string): Promise<void> {
  mkdirSync(README_SHOT_DIR, { recursive: true });
  // A toast that confirmed the last tap would cover the picture: wait for Taro's H5 toast to hide itself.
  await page
    .waitForFunction("[...document.querySelectorAll('.taro__toast')].every((toast) => toast.style.display === 'none')", undefined, {
      timeout: 5000,
    })
    .catch(() => undefined);
  await page
    .waitForFunction("document.getAnimations().every((animation) => animation.playState !== 'running')", undefined, { timeout: 3000 })
    .catch(() => undefined);
  await page.screenshot({ path: join(README_SHOT_DIR, `${name}.png`) });
}

/**
 * Page helpers for the H5 build served by a test stack (`serverUrl` is read at call time: stacks start in
 * beforeAll). Taro's H5 router keeps the pages below the top one in the DOM (hidden), so `on` and `text` look
 * only at what is on screen.
 */
export function h5(serverUrl: () => string) {
  let loads = 0;
  const on = (page: Page, selector: string) => page.locator(`${selector} >> visible=true`).first();
  return {
    /**
     * Opens `route` as the emulator user `user` (each user is its own WeChat account), always as a fresh page
     * load: a URL differing only in its hash would let the router show a stale page kept from before.
     */
    open: (page: Page, user: string, route: string) => page.goto(`${serverUrl()}/?user=${user}&load=${++loads}#/${route}`),
    on,
    /** The visible element's text, whitespace collapsed. */
    text: async (page: Page, selector: string) => ((await on(page, selector).textContent()) ?? '').replace(/\s+/g, ' ').trim(),
  };
}

/**
 * Answers the H5 stand-in of WeChat's subscription sheet (订阅消息), which the app opens at natural moments
 * (after a claim, after saving the birthday), and waits for it to close.
 */
export async function answerSubscribeSheet(page: Page, label: '允许' | '取消'): Promise<void> {
  const button = page.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: label });
  await button.waitFor();
  await button.click();
  await page.locator('.taro-modal__content').first().waitFor({ state: 'hidden' });
}

/**
 * Types into each input and then taps each element, all in one task of the page, as when an input event lands
 * late and a tap follows at once. The typed values' updates are then still waiting for React when the taps
 * arrive, so a page whose changes each rebuild the whole form from their render's copy loses some of them (taps
 * alone are each rendered before the next, so a case must type first). Each selector takes its first visible match.
 */
export async function changeInOneTask(page: Page, changes: { type?: Array<[string, string]>; tap?: string[] }): Promise<void> {
  await page.evaluate(
    ({ type, tap }: { type: Array<[string, string]>; tap: string[] }) => {
      const visible = (selector: string) => {
        const found = Array.from(document.querySelectorAll<HTMLElement>(selector)).find((element) => element.offsetParent !== null);
        if (!found) throw new Error(`nothing visible matches ${selector}`);
        return found;
      };
      for (const [selector, value] of type) {
        const input = visible(selector) as HTMLInputElement;
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
      for (const selector of tap) visible(selector).click();
    },
    { type: changes.type ?? [], tap: changes.tap ?? [] },
  );
}

/** Taps `button` and returns the POST it sends to an API path ending in `pathEnd` (`/api/admin/campaigns`), once answered. */
export async function postSentBy(page: Page, button: string, pathEnd: string): Promise<Response> {
  const sent = page.waitForResponse((r) => r.url().endsWith(pathEnd) && r.request().method() === 'POST', { timeout: 15_000 });
  await page.locator(`${button} >> visible=true`).first().click();
  return sent;
}
