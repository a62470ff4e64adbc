/// <reference lib="dom" /> // page.waitForFunction callbacks run in the browser
import { until } from '../support/polling';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, readmeShot, snapshot } from '../support/browser';
import { invariantsAfterEach } from '../support/invariants';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';

/**
 * Issue 16, the clerk's till in the H5 build at 390×844 against the real server on MariaDB: the clerk types the
 * member's code on the number pad → the member is pinned at the top → record purchase shows 应付 before
 * confirming → the member's code expires meanwhile (the server's test clock moves on), yet the sale goes
 * through on the till ticket → the sales history lists it → a refund, confirmed → today's summary counts it.
 */
describe('the clerk’s till in the mini-program H5', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({ database: 'mariadb', serveH5: true, staff: [{ user: 'till-zhou', role: 'clerk', name: '周店员' }] });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);
  const tillPhone = (): Promise<Page> => phonePage(browser);

  it('identifies by number pad, records with 应付 shown first, survives the code expiring, lists and refunds the sale', async () => {
    // The server's clock, pinned at the real time so the device and the server agree on the ticket's ten minutes.
    const start = Date.now();
    expect((await api.call('POST', '/test/clock', { body: { now: new Date(start).toISOString() } })).status).toBe(200);
    const shopper = await api.joinedMember('shopper-zhao', '13600001111', POLICY);
    expect((await api.call('PATCH', '/members/me', { token: shopper.token, body: { nickname: '赵小雨' } })).status).toBe(200);
    const clerkToken = (await api.login('till-zhou')).token;
    const codeNow = async () => (await api.call('GET', '/members/me/code', { token: shopper.token })).body.code as string;
    // An earlier visit today: 1,000 points to pay with.
    const earlier = await api.call('POST', '/staff/purchases', {
      token: clerkToken,
      body: { memberCode: await codeNow(), amountFen: 100_000, idempotencyKey: 'till-browser-earlier' },
    });
    expect(earlier.status).toBe(200);

    const clerk = await tillPhone();
    await open(clerk, 'till-zhou', 'staff/home/index');
    await on(clerk, '#staff-identify').waitFor({ timeout: 15_000 });
    await on(clerk, '#today-sales-count').waitFor();
    await clerk.waitForFunction(() => document.querySelector('#today-sales-count')?.textContent === '1');
    await snapshot(clerk, 'till-01-home');

    // The number pad: each digit tapped, then 查询.
    const code = await codeNow();
    await on(clerk, '#staff-keypad-open').click();
    const keys = clerk.locator('.nut-numberkeyboard-body-keys .key >> visible=true');
    await keys.first().waitFor();
    for (const digit of code)
      await keys
        .filter({ hasText: new RegExp(`^${digit}$`) })
        .first()
        .tap();
    expect((await text(clerk, '.nut-numberkeyboard-header-title')).replace(/\s/g, '')).toBe(code);
    await snapshot(clerk, 'till-02-number-pad');
    await clerk.locator('.nut-numberkeyboard-sidebar .key.confirm >> visible=true').tap();
    await on(clerk, '#staff-member').waitFor();
    expect(await text(clerk, '#staff-member-name')).toBe('赵**');
    expect(await text(clerk, '#staff-member-points')).toBe('1000');
    expect(await text(clerk, '#staff-member-phone')).toBe('136****1111');
    await snapshot(clerk, 'till-03-member-identified');
    await readmeShot(clerk, 'till-member');
    // Sticky: scrolled down to the tools, the member and the actions stay at the top.
    await clerk.mouse.wheel(0, 600);
    await clerk.waitForTimeout(300);
    const pinned = await on(clerk, '#staff-purchase-member').boundingBox();
    expect(pinned && pinned.y >= 0 && pinned.y < 400).toBe(true);

    await on(clerk, '#staff-purchase-member').click();
    await on(clerk, '#purchase-amount input').waitFor();
    expect(await text(clerk, '#purchase-member')).toContain('赵**');
    // The store is the clerk's, by name: no picker for a clerk of one store.
    await clerk.waitForFunction(() => [...document.querySelectorAll('#purchase-store')].some((e) => e.textContent === '悦享旗舰店'));
    expect(await clerk.locator('#purchase-store-S001').count()).toBe(0);
    await on(clerk, '#purchase-amount input').fill('300');
    await on(clerk, '#purchase-points input').fill('500');
    await snapshot(clerk, 'till-04-purchase-form');
    await on(clerk, '#purchase-submit').click();
    await on(clerk, '#purchase-payable').waitFor();
    expect(await text(clerk, '#purchase-gross')).toBe('¥300.00');
    expect(await text(clerk, '#purchase-points-off')).toBe('-¥5.00');
    expect(await text(clerk, '#purchase-payable')).toBe('¥295.00');
    await snapshot(clerk, 'till-05-purchase-confirm');
    await readmeShot(clerk, 'till-confirm');

    // The customer chats; three minutes pass. Their code has expired, the clerk's ticket has not.
    expect((await api.call('POST', '/test/clock', { body: { now: new Date(start + 3 * 60_000).toISOString() } })).status).toBe(200);
    const expired = await api.call('POST', '/staff/member-code/verify', { token: clerkToken, body: { code } });
    expect(expired.body.code).toBe('MEMBER_CODE_EXPIRED');
    await on(clerk, '#purchase-confirm').click();
    await on(clerk, '#purchase-result').waitFor();
    expect(await text(clerk, '#purchase-paid')).toBe('¥295.00');
    expect(await text(clerk, '#purchase-earned')).toBe('+295');
    expect(await text(clerk, '#purchase-balance')).toBe(String(1000 - 500 + 295));
    await snapshot(clerk, 'till-06-purchase-recorded');

    // The sales history lists it (today), newest first; opened, it refunds after a confirmation.
    await on(clerk, '#purchase-sales').click();
    await on(clerk, '.sale-card').waitFor({ timeout: 15_000 });
    const cards = clerk.locator('.sale-card >> visible=true');
    // The list pages in while the purchase page slides out: wait for both cards to be on screen (a count taken
    // at the first card's appearance saw the page mid-transition under load).
    await until('both sales listed', async () => (await cards.count()) === 2).catch(() => undefined);
    expect(await cards.count()).toBe(2);
    expect(await cards.first().textContent()).toContain('¥295.00');
    expect(await cards.first().textContent()).toContain('赵**');
    await clerk.waitForTimeout(500); // the page slides in (replacePage)
    await snapshot(clerk, 'till-07-sales-history');
    await cards.first().locator('.sale-card__summary').click();
    await on(clerk, '#refund-all').click();
    await on(clerk, '#refund-submit').click();
    const dialog = clerk.locator('.nut-dialog >> visible=true');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('退款 ¥295.00');
    await snapshot(clerk, 'till-08-refund-confirm');
    await dialog.locator('.nut-dialog-footer-ok').click();
    await on(clerk, '#purchase-fully-refunded').waitFor();
    expect(await cards.first().textContent()).toContain('已全额退款');
    await snapshot(clerk, 'till-09-refunded');

    // Found again by receipt number; a wrong number finds nothing.
    const receipt = ((await cards.first().textContent()) ?? '').match(/小票 (\d+)/)![1];
    await on(clerk, '#sales-receipt input').fill(receipt);
    await on(clerk, '#sales-find').click();
    await clerk.waitForFunction(() => document.querySelectorAll('.sale-card').length === 1);
    await on(clerk, '#sales-by-member').click();
    await clerk.waitForFunction(() => document.querySelectorAll('.sale-card').length === 2);
    // Yesterday: nothing sold yet in this fresh store; back to today.
    await on(clerk, '#sales-filter-day').click();
    await on(clerk, '#sales-prev-day').click();
    await on(clerk, '#sales-empty').waitFor();
    expect(await text(clerk, '#sales-date')).toContain('昨天');
    await on(clerk, '#sales-next-day').click();
    await clerk.waitForFunction(() => document.querySelectorAll('.sale-card').length === 2);

    // Today's summary on the till's home: two sales, ¥1,295 taken less ¥295 refunded, one new member.
    await open(clerk, 'till-zhou', 'staff/home/index');
    await on(clerk, '#today-sales-count').waitFor({ timeout: 15_000 });
    await clerk.waitForFunction(() => document.querySelector('#today-sales-count')?.textContent === '2');
    expect(await text(clerk, '#today-sales-amount')).toBe('¥1,000');
    expect(await text(clerk, '#today-new-members')).toBe('1');
    expect(await text(clerk, '#today-refunded')).toContain('¥295');
    // The member is still pinned (the ticket outlives a reload), with the points after the refund.
    expect(await text(clerk, '#staff-member-name')).toBe('赵**');
    await clerk.waitForFunction(() => document.querySelector('#staff-member-points')?.textContent === '1000');
    await snapshot(clerk, 'till-10-home-summary');
  });
});
