/// <reference lib="dom" /> // page callbacks run in the browser
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, readmeShot, snapshot } from '../support/browser';
import { desktopPage } from '../support/console';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 18, signing in to the desktop console by scanning (扫码登录): the console at 1440×900 shows a one-time
 * QR code; the store manager opens it in the staff pages (the H5 build stands in for the mini-program's scanner),
 * sees which browser asks and confirms, and the console signs in with that manager's role and stores. A denied
 * code and an expired one say so and offer a new one; a clerk is refused; a used code signs nobody in again.
 */
describe('the console signs in by scanning its QR code with the staff pages', () => {
  let stack: Stack;
  let browser: Browser;
  let api: TestApi;
  const { open, on, text } = h5(() => stack.serverUrl);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'lin', role: 'store_manager', name: '林店长', stores: ['S001'] },
        { user: 'zhou', role: 'clerk', name: '周店员', stores: ['S001'] },
      ],
    });
    browser = await launchChromium();
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const showCode = async (): Promise<{ console: Page; ticket: string }> => {
    const console = await desktopPage(browser);
    await console.goto(`${stack.serverUrl}/console/`);
    const qr = console.locator('#console-login-qr');
    await qr.waitFor({ timeout: 20_000 });
    return { console, ticket: (await qr.getAttribute('data-ticket')) ?? '' };
  };
  const phoneOpens = async (user: string, ticket: string): Promise<Page> => {
    const phone = await phonePage(browser);
    await open(phone, user, `staff/console-login/index?ticket=${ticket}`);
    return phone;
  };

  it('the manager scans and confirms: the console opens with the manager’s role and store', async () => {
    const { console, ticket } = await showCode();
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    // The QR code holds the confirming page's address with the ticket (what the mini-program's scanner reads).
    const content = await console.evaluate(async () => {
      const image = document.querySelector<HTMLImageElement>('#console-login-qr')!;
      return image.src.startsWith('data:image/png') ? image.naturalWidth : 0;
    });
    expect(content).toBeGreaterThan(100);
    await readmeShot(console, 'console-login');

    const phone = await phoneOpens('lin', ticket);
    await on(phone, '#console-login-request').waitFor({ timeout: 20_000 });
    expect(await text(phone, '#console-login-client')).toMatch(/Chrome \d+ · Linux/);
    // The console sees that someone scanned, and who.
    await console.locator('#console-login-scanned').waitFor({ timeout: 10_000 });
    expect(await console.locator('#console-login-scanned').innerText()).toContain('林店长');
    await readmeShot(phone, 'console-login-confirm');

    await on(phone, '#console-login-confirm').click();
    await on(phone, '#console-login-confirmed').waitFor({ timeout: 15_000 });
    await console.locator('#console-user').waitFor({ timeout: 15_000 });
    expect(await console.locator('#console-user').innerText()).toMatch(/林店长 · 店长 · S001/);
    await snapshot(console, 'console-login-signed-in');

    // The code is spent: opening it again on the phone says so, and signs nobody in.
    const again = await phoneOpens('lin', ticket);
    await on(again, '#console-login-error').waitFor({ timeout: 15_000 });
    expect(await text(again, '#console-login-error')).toContain('该二维码已使用');

    // 退出登录 returns to a fresh QR code.
    await console.locator('#console-logout').click();
    await console.locator('#console-login-qr').waitFor({ timeout: 15_000 });
    expect(await console.locator('#console-login-qr').getAttribute('data-ticket')).not.toBe(ticket);
  });

  it('a denied code says so on the console and offers a new one', async () => {
    const { console, ticket } = await showCode();
    const phone = await phoneOpens('lin', ticket);
    await on(phone, '#console-login-deny').click();
    await on(phone, '#console-login-denied').waitFor({ timeout: 15_000 });
    await console.locator('#console-login-ended').waitFor({ timeout: 15_000 });
    expect(await console.locator('#console-login-ended').innerText()).toBe('已在手机上拒绝登录');
    await console.locator('#console-login-refresh').click();
    await console.locator('#console-login-qr').waitFor({ timeout: 15_000 });
    expect(await console.locator('#console-login-qr').getAttribute('data-ticket')).not.toBe(ticket);
    // The denied code stays denied: confirming it afterwards is refused.
    const { token } = await api.login('lin');
    const late = await api.call('POST', `/staff/console-login/${ticket}/confirm`, { token });
    expect([late.status, late.body.code]).toEqual([409, 'CONSOLE_LOGIN_USED']);
  });

  it('a clerk is refused on the phone; an expired code says so on both sides', async () => {
    const { console, ticket } = await showCode();
    const clerk = await phoneOpens('zhou', ticket);
    await on(clerk, '#console-login-error').waitFor({ timeout: 15_000 });
    expect(await text(clerk, '#console-login-error')).toContain('仅限店长和总部人员');

    // Four minutes later (the code lives three), by the server's clock.
    const now = (await api.call('GET', '/test/clock')).body.now as string;
    const later = new Date(Date.parse(now) + 4 * 60_000).toISOString();
    expect((await api.call('POST', '/test/clock', { body: { now: later } })).status).toBe(200);
    await console.locator('#console-login-ended').waitFor({ timeout: 15_000 });
    expect(await console.locator('#console-login-ended').innerText()).toBe('二维码已过期');
    const manager = await phoneOpens('lin', ticket);
    await on(manager, '#console-login-error').waitFor({ timeout: 15_000 });
    expect(await text(manager, '#console-login-error')).toContain('二维码已过期');
  });
});
