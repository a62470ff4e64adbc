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
const terms = (valueFen: number, stacks: boolean) => ({
  kind: 'cash_off',
  valueFen,
  thresholdFen: 20000,
  percentPermille: null,
  capFen: null,
  giftName: null,
  stacksWithMemberDiscount: stacks,
});

/**
 * Issue 17, member price on the screens, in the H5 build against the real server (MariaDB): a member made
 * diamond by a ¥50,000 sale pays ¥300 in the app — 订单金额 → 会员价 (钻石会员 8.5折 −¥45) → a stacking coupon
 * (−¥20) → 应付 ¥235, the stacking coupon preselected; choosing a coupon that does not stack (满200减50) waives
 * the member price and says so. At the till the clerk's quote shows the same steps, and 我的订单 shows 会员价.
 */
describe('member price on the pay page, at the till and in 我的订单', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;
  let clerkToken: string;
  const templates = { stacking: 0, fifty: 0 };

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'till-wu', role: 'clerk', name: '吴店员' },
        { user: 'marketing-he', role: 'admin' },
      ],
      pay: {},
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const adminToken = (await api.login('marketing-he')).token;
    clerkToken = (await api.login('till-wu')).token;
    for (const [which, name, valueFen, stacks] of [
      ['stacking', '会员叠加券', 2000, true],
      ['fifty', '满200减50', 5000, false],
    ] as const) {
      const created = await api.call('POST', '/admin/coupon-templates', {
        token: adminToken,
        body: cashOffTemplateBody({ name, terms: terms(valueFen, stacks), perMemberLimit: 2 }),
      });
      expect(created.status).toBe(201);
      templates[which] = created.body.id;
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);
  const untilText = (page: Page, selector: string, expected: string) =>
    page.waitForFunction(
      ([s, e]) => [...document.querySelectorAll(s)].some((el) => (el.textContent ?? '').trim() === e),
      [selector, expected] as const,
      { timeout: 15_000 },
    );

  it('a diamond member sees 会员价 on the pay page, the clerk’s quote and 我的订单', async () => {
    const shopper = await api.joinedMember('shopper-jin', '13600002222', POLICY);
    const codeNow = async () => (await api.call('GET', '/members/me/code', { token: shopper.token })).body.code as string;
    const upgrade = await api.call('POST', '/staff/purchases', {
      token: clerkToken,
      body: { memberCode: await codeNow(), amountFen: 5_000_000, idempotencyKey: 'mp-upgrade' },
    });
    expect(upgrade.status).toBe(200);
    expect(upgrade.body.member.tierName).toBe('钻石会员');
    const coupons: Record<string, { id: number; code: string }> = {};
    for (const [which, id] of Object.entries(templates)) {
      for (const n of [1, 2]) {
        const claimed = await api.call('POST', `/coupons/templates/${id}/claim`, {
          token: shopper.token,
          body: { idempotencyKey: `mp-${which}-${n}` },
        });
        expect(claimed.status).toBe(200);
        coupons[`${which}${n}`] = claimed.body;
      }
    }

    // The app: ¥300 at S001. The stacking coupon is preselected (¥235 beats ¥250 with 满200减50 alone).
    const member = await phonePage(browser);
    await open(member, 'shopper-jin', 'pages/pay/index?store=S001&amount=30000');
    await on(member, '#pay-member-discount').waitFor({ timeout: 15_000 });
    await untilText(member, '#pay-payable', '¥235.00');
    expect(await text(member, '#pay-gross')).toBe('¥300.00');
    expect(await text(member, '#pay-member-discount')).toBe('-¥45.00');
    expect(await text(member, '#pay-summary')).toContain('会员价（钻石会员 8.5折）');
    expect(await text(member, '#pay-coupon-discount')).toBe('-¥20.00');
    expect(await member.locator('#pay-price-basis').count()).toBe(0);
    await on(member, '#pay-summary').scrollIntoViewIfNeeded();
    await readmeShot(member, 'member-price-pay');
    await snapshot(member, 'member-price-01-pay-stacked');

    // A coupon that does not stack: 满200减50 on ¥300 (¥250) beats the member price (¥255); the page says so.
    await on(member, `#pay-coupon-${coupons.fifty1.id}`).click();
    await untilText(member, '#pay-payable', '¥250.00');
    expect(await text(member, '#pay-member-discount')).toBe('本单不享');
    expect(await text(member, '#pay-coupon-discount')).toBe('-¥50.00');
    expect(await text(member, '#pay-price-basis')).toContain('此券不与会员价同享，已按更优惠的方式计算');
    await on(member, '#pay-summary').scrollIntoViewIfNeeded();
    await snapshot(member, 'member-price-02-pay-not-stacking');

    // The till: the clerk identifies the member and quotes ¥300 with the stacking coupon and 1,000 points.
    const clerk = await phonePage(browser);
    await open(clerk, 'till-wu', 'staff/home/index');
    await on(clerk, '#staff-code-input input').waitFor({ timeout: 15_000 });
    await on(clerk, '#staff-code-input input').fill(await codeNow());
    await on(clerk, '#staff-verify').click();
    await on(clerk, '#staff-purchase-member').click();
    await on(clerk, '#purchase-amount input').waitFor();
    await on(clerk, '#purchase-amount input').fill('300');
    await on(clerk, '#purchase-coupon input').fill(coupons.stacking2.code);
    await on(clerk, '#purchase-points input').fill('1000');
    await on(clerk, '#purchase-submit').click();
    await on(clerk, '#purchase-payable').waitFor({ timeout: 15_000 });
    expect(await text(clerk, '#purchase-gross')).toBe('¥300.00');
    expect(await text(clerk, '#purchase-member-off')).toBe('-¥45.00');
    expect(await text(clerk, '#purchase-confirm-step')).toContain('会员价 钻石会员 8.5折');
    expect(await text(clerk, '#purchase-coupon-off')).toBe('-¥20.00');
    expect(await text(clerk, '#purchase-points-off')).toBe('-¥10.00');
    expect(await text(clerk, '#purchase-payable')).toBe('¥225.00');
    await readmeShot(clerk, 'member-price-till');
    await snapshot(clerk, 'member-price-03-till-quote');
    await on(clerk, '#purchase-confirm').click();
    await on(clerk, '#purchase-result').waitFor();
    expect(await text(clerk, '#purchase-member-discount')).toBe('-¥45.00');
    expect(await text(clerk, '#purchase-paid')).toBe('¥225.00');
    await snapshot(clerk, 'member-price-04-till-recorded');
    // 销售记录: the sale opened shows its 会员价 too.
    await on(clerk, '#purchase-sales').click();
    await on(clerk, '.sale-card').waitFor({ timeout: 15_000 });
    await clerk.locator('.sale-card >> visible=true').first().locator('.sale-card__summary').click();
    await clerk.locator('.sale-card__detail >> visible=true').first().waitFor();
    expect(await clerk.locator('.sale-card__detail >> visible=true').first().textContent()).toContain('会员价 8.5折-¥45.00');

    // 我的订单: the in-store sale shows its 会员价.
    await open(member, 'shopper-jin', 'pages/orders/index');
    await member.locator('.order-card >> visible=true').first().waitFor({ timeout: 15_000 });
    expect(await member.locator('.order-card >> visible=true').first().textContent()).toContain('会员价 -¥45.00');
    await snapshot(member, 'member-price-05-my-orders');
    await member.locator('.order-card >> visible=true').first().click();
    await on(member, '#order-detail-member-discount').waitFor({ timeout: 15_000 });
    expect(await text(member, '#order-detail-member-discount')).toBe('-¥45.00');
    await snapshot(member, 'member-price-06-order-detail');
  });
});
