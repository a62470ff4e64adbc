import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { answerSubscribeSheet, h5, launchChromium, phonePage, snapshot } from '../support/browser';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';

/**
 * Points and tiers in the H5 build against the real server on MariaDB: a clerk verifies a member's code and
 * records a ¥2,500 purchase → the member's card shows 2,500 points, silver and the progress to gold → the
 * points page lists the line with its expiry → the clerk refunds ¥500 and the points follow.
 */
describe('points and tiers in the mini-program H5', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'till-qian', role: 'clerk', name: '钱店员' },
        { user: 'marketing-li', role: 'admin' },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);

  it('a clerk records a purchase; the member sees the points, the tier and the history; a refund takes points back', async () => {
    await api.joinedMember('shopper-sun', '13500001234', POLICY);
    const shopper = await phonePage(browser);
    await open(shopper, 'shopper-sun', 'pages/card/index');
    await on(shopper, '#card-points').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#card-points')).toBe('0');
    // The code lives on the 会员码 tab; the card's button switches to it.
    await on(shopper, '#card-show-code').click();
    await on(shopper, '#member-code-text').waitFor({ timeout: 15_000 });
    const memberCode = (await text(shopper, '#member-code-text')).replace(/\D/g, '');

    // The clerk identifies the member by the code on the shopper's screen, then records the purchase.
    const clerk = await phonePage(browser);
    await open(clerk, 'till-qian', 'staff/home/index');
    await on(clerk, '#staff-code-input input').fill(memberCode);
    await on(clerk, '#staff-verify').click();
    await on(clerk, '#staff-member').waitFor();
    await on(clerk, '#staff-purchase-member').click();
    await on(clerk, '#purchase-amount input').waitFor();
    // The member identified on the till's home, not their code: it is taken once, as a till ticket.
    expect(await text(clerk, '#purchase-member')).toContain('普通会员');
    await on(clerk, '#purchase-submit').click();
    expect(await text(clerk, '#purchase-error')).toContain('消费金额');
    await on(clerk, '#purchase-amount input').fill('2500');
    // The store comes from the clerk's account (one store: shown, not typed).
    await snapshot(clerk, '21-purchase-form');
    await on(clerk, '#purchase-submit').click();
    expect(await text(clerk, '#purchase-payable')).toBe('¥2,500.00'); // 应付, shown before the clerk confirms
    await on(clerk, '#purchase-confirm').click();
    await on(clerk, '#purchase-result').waitFor();
    expect(await text(clerk, '#purchase-earned')).toBe('+2500');
    expect(await text(clerk, '#purchase-balance')).toBe('2500');
    expect(await text(clerk, '#purchase-tier')).toBe('银卡会员');
    await snapshot(clerk, '22-purchase-recorded');

    // The member's card, refreshed: points, silver, and what is left to gold (¥10,000 − ¥2,500).
    await open(shopper, 'shopper-sun', 'pages/card/index');
    await on(shopper, '#member-card').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#card-points')).toBe('2500');
    expect(await text(shopper, '#card-tier')).toContain('银卡');
    expect(await text(shopper, '#card-progress')).toContain('再消费 ¥7,500 升级为 金卡会员');
    await snapshot(shopper, '23-card-after-purchase');

    await on(shopper, '#goto-points').click();
    await on(shopper, '#points-balance').waitFor();
    expect(await text(shopper, '#points-balance')).toBe('2500');
    expect(await text(shopper, '.points-line')).toMatch(
      /^消费积分 · 门店 S001\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2} · \d{4}-12-31 过期\s*\+2500\s*余额 2500$/,
    );
    expect(await text(shopper, '#points-expiring')).toMatch(/^2500 积分将于 \d{4}-12-31 过期$/);
    await snapshot(shopper, '24-points-history');

    // A partial refund at the till takes back the points that part earned.
    await on(clerk, '#refund-amount input').fill('500');
    await on(clerk, '#refund-submit').click();
    await on(clerk, '.nut-dialog-footer-ok').click(); // refunds ask for confirmation
    await clerk.locator('.purchase-result__refund >> visible=true').first().waitFor();
    expect(await text(clerk, '.purchase-result__refund')).toContain('扣回 500 积分');
    expect(await text(clerk, '#purchase-balance')).toBe('2000');

    await shopper.reload();
    await on(shopper, '#points-balance').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#points-balance')).toBe('2000');
    expect(await text(shopper, '.points-line')).toMatch(/^退款扣回 · 门店 S001.*-500\s*余额 2000$/);

    await open(shopper, 'shopper-sun', 'pages/tier/index');
    await on(shopper, '#tier-current').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#tier-current')).toBe('银卡会员');
    expect(await text(shopper, '#tier-spend')).toBe('近 12 个月消费 ¥2,000');
    expect(await text(shopper, '#tier-gold')).toContain('近 12 个月消费满 ¥10,000');
    await snapshot(shopper, '25-tier-page');

    // The points shop: marketing prices a coupon at 500 points; the member exchanges 2,000 → 1,500.
    const admin = (await api.login('marketing-li')).token;
    const priced = await api.call('POST', '/admin/coupon-templates', {
      token: admin,
      body: {
        name: '积分兑换 10 元券',
        terms: {
          kind: 'no_threshold',
          valueFen: 1000,
          thresholdFen: 0,
          percentPermille: null,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: false,
        },
        totalStock: 100,
        perMemberLimit: 5,
        validity: { type: 'relative', validDays: 30 },
        claimStartsAt: new Date(Date.now() - 60_000).toISOString(),
        claimEndsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        audience: 'all',
        pointsPrice: 500,
      },
    });
    expect(priced.status).toBe(201);
    await open(shopper, 'shopper-sun', 'pages/points/index');
    await on(shopper, '#goto-points-shop').click();
    await on(shopper, `#shop-exchange-${priced.body.id}`).waitFor({ timeout: 15_000 });
    expect(await text(shopper, `#shop-entry-${priced.body.id}`)).toContain('500 积分');
    await snapshot(shopper, '26-points-shop');
    await on(shopper, `#shop-exchange-${priced.body.id}`).click();
    await shopper.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: '兑换' }).click();
    // The app offers the coupon reminders; the exchange's toast follows once the sheet is answered.
    await answerSubscribeSheet(shopper, '取消');
    await shopper.getByText('兑换成功', { exact: true }).waitFor();
    const wallet = await api.call('GET', '/coupons/wallet?tab=usable', { token: (await api.login('shopper-sun')).token });
    expect(wallet.body.coupons.map((c: { name: string }) => c.name)).toEqual(['积分兑换 10 元券']);
    await open(shopper, 'shopper-sun', 'pages/points/index');
    await on(shopper, '#points-balance').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#points-balance')).toBe('1500');
    expect(await text(shopper, '.points-line')).toMatch(/^积分兑换优惠券.*-500\s*余额 1500$/);
  });
});
