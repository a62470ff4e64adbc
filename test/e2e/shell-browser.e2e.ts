import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, readmeShot, snapshot } from '../support/browser';
import { cashOffTemplateBody } from '../support/fixtures';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 16's shell at 390×844 in the H5 build: the brand header and member card on 首页, the tab bar's four tabs,
 * 会员码 full width, 我的 with its cells, the privacy policy, user agreement and customer service pages, a
 * visitor's single 开通会员 action, and the staff entry for staff.
 */
describe('the app shell in Chromium: 首页, tabs, 我的, policies and service', () => {
  let stack: Stack;
  let browser: Browser;
  const { open, on, text } = h5(() => stack.serverUrl);

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'clerk-zhao', role: 'clerk', name: '赵店员' },
        { user: 'boss-qian', role: 'admin', name: '钱经理' },
      ],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Taro's H5 router slides a pushed page in over the tab page a moment after the click: let it arrive first. */
  const shot = async (page: Page, name: string) => {
    await page.waitForTimeout(700);
    await snapshot(page, name);
  };
  const tab = (page: Page, label: string) => page.locator('.weui-tabbar__item >> visible=true').filter({ hasText: label }).first();

  async function joinAs(page: Page, phone: string): Promise<void> {
    await on(page, '#card-join').click();
    await on(page, '#join-privacy').click();
    await on(page, '#join-phone').click();
    await page.locator('#phone-input input').fill(phone);
    await page.locator('#phone-confirm').click();
    await on(page, '#member-card').waitFor({ timeout: 15_000 });
  }

  it('a visitor sees the brand and one clear 开通会员 action', async () => {
    const visitor = await phonePage(browser);
    await open(visitor, 'visitor-ling', 'pages/card/index');
    await on(visitor, '#card-welcome').waitFor({ timeout: 15_000 });
    expect(await text(visitor, '#brand-name')).toBe('悦享会员');
    expect(await visitor.locator('#card-join >> visible=true').count()).toBe(1);
    expect(await visitor.locator('#staff-entry >> visible=true').count()).toBe(0);
    await shot(visitor, 'shell-01-visitor-home');

    await tab(visitor, '会员码').click();
    await on(visitor, '#member-code-page-not-joined').waitFor();
    await shot(visitor, 'shell-02-visitor-member-code');
  });

  it('a member moves through 首页, the tabs, 我的 and the policy and service pages', async () => {
    // A coupon in the claim centre fills 首页's campaign slot.
    const api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const admin = (await api.login('boss-qian')).token;
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: admin,
      body: cashOffTemplateBody({ name: '会员专享 满200减20', totalStock: 30 }),
    });
    expect(template.status).toBe(201);

    const member = await phonePage(browser);
    await open(member, 'member-yun', 'pages/card/index');
    await on(member, '#card-welcome').waitFor({ timeout: 15_000 });
    await joinAs(member, '13911112222');
    await on(member, '#home-services').waitFor();
    await on(member, '#home-banner').waitFor({ timeout: 15_000 });
    expect(await text(member, '#home-banner-title')).toBe('满200减20');
    // The code is on its own tab now; 首页 shows the card, the campaign slot and the services.
    expect(await member.locator('#member-code-text >> visible=true').count()).toBe(0);
    expect(await text(member, '#card-tier')).toContain('普通会员');
    for (const id of ['#goto-coupons', '#goto-points-shop', '#goto-tier', '#goto-orders', '#card-messages', '#goto-service']) {
      await on(member, id).waitFor();
    }
    // The tab bar never covers the page: the page (which scrolls inside itself) ends where the bar begins.
    const bar = await member.locator('.weui-tabbar >> visible=true').first().boundingBox();
    const page = await member.locator('.taro_page_show:has(#home-services)').first().boundingBox();
    expect(bar && page && page.y + page.height).toBeLessThanOrEqual(bar!.y + 1);
    await shot(member, 'shell-03-home');
    await readmeShot(member, 'home');

    await on(member, '#card-show-code').click();
    await on(member, '#member-code-text').waitFor({ timeout: 15_000 });
    expect((await text(member, '#member-code-text')).replace(/\D/g, '')).toMatch(/^66\d{12,}$/);
    expect(await text(member, '#member-code-countdown')).toMatch(/秒后自动刷新/);
    expect(await text(member, '#member-code-brightness')).toMatch(/亮度/);
    await shot(member, 'shell-04-member-code');
    await readmeShot(member, 'member-code');

    await tab(member, '券包').click();
    await member.waitForTimeout(800);
    await shot(member, 'shell-05-wallet');

    await tab(member, '我的').click();
    await on(member, '#mine-header').waitFor({ timeout: 15_000 });
    expect(await text(member, '#mine-tier-stat')).toContain('普通会员');
    for (const id of [
      '#mine-orders',
      '#mine-points',
      '#mine-tier',
      '#mine-messages',
      '#mine-privacy',
      '#mine-agreement',
      '#mine-service',
    ]) {
      await on(member, id).waitFor();
    }
    expect(await member.locator('#staff-entry >> visible=true').count()).toBe(0);
    await shot(member, 'shell-06-mine');
    await readmeShot(member, 'mine');

    await on(member, '#mine-privacy').click();
    await on(member, '#privacy-policy').waitFor();
    expect(await text(member, '#privacy-policy')).toMatch(/会员隐私保护指引.*生效日期 \d{4}-\d{2}-\d{2}.*一、我们收集的信息/);
    await shot(member, 'shell-07-privacy');
    await member.goBack();

    await on(member, '#mine-agreement').click();
    await on(member, '#user-agreement').waitFor();
    expect(await text(member, '#user-agreement')).toMatch(/会员服务协议.*一、会员资格/);
    await shot(member, 'shell-08-agreement');
    await member.goBack();

    await on(member, '#mine-service').click();
    await on(member, '#service-faq').waitFor();
    expect(await text(member, '#service-phone-number')).toBe('400-820-8820');
    expect(await text(member, '#service-hours')).toContain('09:00');
    await shot(member, 'shell-09-service');
    await member.goBack();

    await tab(member, '首页').click();
    await on(member, '#member-card').waitFor();
    await on(member, '#goto-tier').click();
    await on(member, '#tier-current').waitFor({ timeout: 15_000 });
    expect(await member.locator('#tier-normal .tier-row__card >> visible=true').getAttribute('style')).toContain('linear-gradient');
    await shot(member, 'shell-11-tier');
  });

  it('a clerk finds the staff entry on 首页 and in 我的', async () => {
    const clerk = await phonePage(browser);
    await open(clerk, 'clerk-zhao', 'pages/card/index');
    await on(clerk, '#staff-entry').waitFor({ timeout: 15_000 });
    await shot(clerk, 'shell-10-staff-home');
    await tab(clerk, '我的').click();
    await on(clerk, '#mine-header').waitFor({ timeout: 15_000 });
    await on(clerk, '#staff-entry').click();
    await on(clerk, '#staff-code-input').waitFor({ timeout: 15_000 });
  });
});
