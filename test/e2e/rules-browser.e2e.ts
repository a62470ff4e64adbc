import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, readmeShot, snapshot } from '../support/browser';
import { cashOffTemplateBody } from '../support/fixtures';
import { invariantsAfterEach } from '../support/invariants';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';

/**
 * Rewards fired by a purchase in the H5 build, in Chromium: an admin drafts a rule (满100 → 50 积分 + a coupon)
 * from the staff pages and activates it; a member pays ¥150 with WeChat Pay and the result page says 本单获得;
 * a clerk records a ¥120 sale at the till and the purchase result says it too; the rule's report counts both.
 */
describe('purchase rules in the mini-program H5', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'rules-he', role: 'admin', name: '何经理' },
        { user: 'rules-zhou', role: 'clerk', name: '周店员' },
      ],
      pay: {},
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);
  const untilText = (page: Page, selector: string, pattern: RegExp) =>
    page.locator(`${selector} >> visible=true`).filter({ hasText: pattern }).first().waitFor({ timeout: 20_000 });

  it('an admin creates and activates a rule; the pay result and the till show what the purchase earned', async () => {
    const adminToken = (await api.login('rules-he')).token;
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: adminToken,
      body: cashOffTemplateBody({ name: '回购满减券' }),
    });
    expect(template.status).toBe(201);

    // The admin: 营销规则 on the staff grid → 新建规则 → the form → 保存草稿 → 启用.
    const admin = await phonePage(browser);
    await open(admin, 'rules-he', 'staff/home/index');
    await on(admin, '#staff-goto-rules').click();
    await on(admin, '#rule-new').click();
    await on(admin, '#rule-name input').waitFor({ timeout: 15_000 });
    await on(admin, '#rule-name input').fill('满100送好礼');
    await on(admin, '#rule-minPaidYuan input').fill('100');
    await on(admin, `#rule-coupon-${template.body.id}`).click();
    await on(admin, '#rule-points input').fill('50');
    await on(admin, '#rule-maxGrants input').fill('100');
    await snapshot(admin, 'rules-01-form');
    await readmeShot(admin, 'rules-form');
    await on(admin, '#rule-save').click();
    await untilText(admin, '#rule-status', /草稿/);
    await on(admin, '#rule-activate').click();
    await untilText(admin, '#rule-status', /进行中/);
    expect(await text(admin, '#rule-name')).toBe('满100送好礼');

    // The member pays ¥150 in the app: 本单获得 on the result page.
    await api.joinedMember('rules-payer', '13600005678', POLICY);
    const member = await phonePage(browser);
    await open(member, 'rules-payer', 'pages/pay/index?store=S001&amount=15000');
    await untilText(member, '#pay-payable', /¥150\.00/);
    await snapshot(member, 'rules-03-pay');
    await on(member, '#pay-submit').click();
    const confirm = member.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: '确认支付' });
    await confirm.waitFor();
    await confirm.click();
    await untilText(member, '#pay-result-status', /支付成功/);
    await untilText(member, '#pay-result-rewards', /满100送好礼/);
    expect(await text(member, '#pay-result-rewards')).toBe('本单获得满100送好礼：50 积分、回购满减券');
    await readmeShot(member, 'pay-result-rewards');

    // The till: a ¥120 sale recorded for a member; the purchase result shows the reward too.
    const shopper = await api.joinedMember('rules-shopper', '13600005679', POLICY);
    const code = (await api.call('GET', '/members/me/code', { token: shopper.token })).body.code as string;
    const clerk = await phonePage(browser);
    await open(clerk, 'rules-zhou', 'staff/home/index');
    await on(clerk, '#staff-keypad-open').click();
    const keys = clerk.locator('.nut-numberkeyboard-body-keys .key >> visible=true');
    await keys.first().waitFor();
    for (const digit of code)
      await keys
        .filter({ hasText: new RegExp(`^${digit}$`) })
        .first()
        .tap();
    await clerk.locator('.nut-numberkeyboard-sidebar .key.confirm >> visible=true').tap();
    await on(clerk, '#staff-purchase-member').click();
    await on(clerk, '#purchase-amount input').fill('120');
    await on(clerk, '#purchase-submit').click();
    await on(clerk, '#purchase-confirm').click();
    await on(clerk, '#purchase-result').waitFor({ timeout: 15_000 });
    expect(await text(clerk, '#purchase-rewards')).toBe('本单获得满100送好礼：50 积分、回购满减券');
    await readmeShot(clerk, 'till-purchase-rewards');

    // The report counts both grants.
    await open(admin, 'rules-he', 'staff/rules/index');
    await on(admin, '#rule-new').waitFor({ timeout: 15_000 });
    await admin.locator('.rule-row >> visible=true').first().click();
    await untilText(admin, '#report-grants', /^2$/);
    expect(await text(admin, '#report-trigger-sales')).toBe('¥270.00');
    expect(await text(admin, '#report-cost')).toBe('¥1.00'); // 100 points at ¥0.01, no coupon used yet
    await admin.waitForTimeout(800); // the router's slide-in, which the animation wait does not always catch
    await readmeShot(admin, 'rules-report');
  });
});
