import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { cashOffTemplateBody } from '../support/fixtures';
import { h5, launchChromium, phonePage, snapshot } from '../support/browser';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';

/**
 * A grey button must be a dead button. Taro's H5 `<Button disabled>` used to run its tap handler anyway: with
 * the privacy box unticked, 验证手机号并开通 opened the phone sheet and created the member. Here every button
 * that is disabled (or busy) on the join, profile, pay, claim and staff pages is tapped for real — a mouse click
 * at its position, past the disabled look — and nothing may happen: no request to the server, nothing new on
 * screen, no change in the member's data.
 */
describe('disabled buttons in the H5 build do nothing', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;
  const ui = h5(() => stack.serverUrl);

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      pay: {},
      staff: [
        { user: 'guard-admin', role: 'admin', name: '王经理' },
        { user: 'guard-clerk', role: 'clerk', name: '赵店员' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Every API request the page sends from now on, as `METHOD /path`. */
  const recordRequests = (page: Page) => {
    const seen: string[] = [];
    const listener = (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) seen.push(`${request.method()} ${url.pathname}`);
    };
    page.on('request', listener);
    return { seen, stop: () => page.off('request', listener) };
  };

  /** Taps the visible element like a finger (force: past the disabled look) and gives the page time to react. */
  const tap = async (page: Page, selector: string) => {
    await ui.on(page, selector).click({ force: true });
    await page.waitForTimeout(400);
  };

  /** Holds the page's requests to `path` until released, so a button can be tapped again while it is busy. */
  const holdRequests = async (page: Page, path: string) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**${path}`, async (route) => {
      await released;
      await route.continue();
    });
    return release;
  };

  it('join: with the privacy box unticked, 验证手机号并开通 neither opens the phone sheet nor joins', async () => {
    const page = await phonePage(browser);
    await ui.open(page, 'guard-newcomer', 'pages/join/index');
    await ui.on(page, '#join-privacy').waitFor();
    const requests = recordRequests(page);
    await tap(page, '#join-phone');
    await tap(page, '#join-phone');
    requests.stop();
    expect(requests.seen).toEqual([]);
    expect(await page.locator('#phone-sheet >> visible=true').count()).toBe(0);
    await snapshot(page, 'guard-01-join-unticked');

    const login = await api.login('guard-newcomer');
    expect(login.member.joined).toBe(false);

    // Ticked, the same button works: the sheet opens and the member joins.
    await ui.on(page, '#join-privacy').click();
    await ui.on(page, '#join-phone').click();
    await ui.on(page, '#phone-input input').fill('13900001111');
    await ui.on(page, '#phone-confirm').click();
    await ui.on(page, '#member-card').waitFor({ timeout: 15_000 });
    expect((await api.login('guard-newcomer')).member.joined).toBe(true);
  });

  it('profile: 保存 with no new nickname and 保存生日 with no date send nothing', async () => {
    const shopper = await api.joinedMember('guard-profile', '13900002222', POLICY);
    const page = await phonePage(browser);
    await ui.open(page, 'guard-profile', 'pages/profile/index');
    await ui.on(page, '#birthday-save').waitFor();
    const requests = recordRequests(page);
    await tap(page, '#profile-save');
    await tap(page, '#birthday-save');
    requests.stop();
    expect(requests.seen).toEqual([]);
    // No subscription sheet either: 保存生日 asks for the birthday greeting only when it really saves.
    expect(await page.locator('.taro__modal >> visible=true').count()).toBe(0);
    await snapshot(page, 'guard-02-profile-untouched');
    const card = await api.call('GET', '/members/me/card', { token: shopper.token });
    expect([card.body.member.nickname ?? null, card.body.member.birthday ?? null]).toEqual([null, null]);
  });

  it('pay: 确认支付 with no amount creates no order', async () => {
    await api.joinedMember('guard-payer', '13900003333', POLICY);
    const page = await phonePage(browser);
    await ui.open(page, 'guard-payer', 'pages/pay/index');
    await ui.on(page, '#pay-submit').waitFor();
    const requests = recordRequests(page);
    await tap(page, '#pay-submit');
    await tap(page, '#pay-submit');
    requests.stop();
    expect(requests.seen.filter((request) => request.includes('/pay/orders'))).toEqual([]);
    await snapshot(page, 'guard-03-pay-empty');
    const orders = await api.call('GET', '/staff/pay/orders', { token: (await api.login('guard-admin')).token });
    expect(orders.status).toBe(200);
    expect(orders.body.orders).toHaveLength(0);
  });

  it('claim centre: a second tap on 立即领取 while the first claim is on its way sends nothing', async () => {
    const admin = await api.login('guard-admin');
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: admin.token,
      body: cashOffTemplateBody({ name: '防连点券', perMemberLimit: 3 }),
    });
    expect(template.status).toBeLessThan(300);
    await api.joinedMember('guard-claimer', '13900004444', POLICY);
    const page = await phonePage(browser);
    await ui.open(page, 'guard-claimer', 'pages/coupons/index');
    const button = `#claim-${template.body.id}`;
    await ui.on(page, button).waitFor();

    const release = await holdRequests(page, `/api/coupons/templates/${template.body.id}/claim`);
    const requests = recordRequests(page);
    await ui.on(page, button).click();
    await tap(page, button);
    await tap(page, button);
    await snapshot(page, 'guard-04-claim-busy');
    release();
    await page.waitForTimeout(800);
    requests.stop();
    expect(requests.seen.filter((request) => request.endsWith('/claim'))).toHaveLength(1);
    const wallet = await api.call('GET', '/coupons/wallet', { token: (await api.login('guard-claimer')).token });
    const claimed = JSON.stringify(wallet.body).match(/防连点券/g) ?? [];
    expect(claimed).toHaveLength(1);
  });

  it('staff: a second tap on 查询 while the first look-up is on its way sends nothing', async () => {
    const page = await phonePage(browser);
    await ui.open(page, 'guard-clerk', 'staff/home/index');
    await ui.on(page, '#staff-code-input').waitFor();
    await ui.on(page, '#staff-code-input input').fill('6612345678901234');
    const release = await holdRequests(page, '/api/staff/member-code/verify');
    const requests = recordRequests(page);
    await ui.on(page, '#staff-verify').click();
    await tap(page, '#staff-verify');
    await tap(page, '#staff-verify');
    release();
    await page.waitForTimeout(800);
    requests.stop();
    expect(requests.seen.filter((request) => request.endsWith('/verify'))).toHaveLength(1);
  });
});
