import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { answerSubscribeSheet, h5, launchChromium, phonePage, readmeShot, snapshot } from '../support/browser';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';

/**
 * The coupon journey in the H5 build, in Chromium, against the real server and emulator on MariaDB:
 * an admin creates a template in the staff pages → a member claims it in the claim centre → the wallet and
 * the coupon's code show it → a clerk types the code at the till, sees why a small order does not qualify,
 * redeems it on a bigger one → the member's wallet shows it under "used" → the clerk reverses it (refund)
 * and it comes back.
 */
describe('coupons in the mini-program H5', () => {
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
        { user: 'marketing-wang', role: 'admin', name: '王经理' },
        { user: 'till-zhao', role: 'clerk', name: '赵店员' },
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
  const idOf = async (page: Page, selector: string, prefix: string) =>
    Number(((await on(page, selector).getAttribute('id')) ?? '').slice(prefix.length));

  it('admin creates a coupon → member claims it → wallet → clerk redeems it → wallet shows it used', async () => {
    // The admin creates "满200减20", 100 in stock, one per member, valid 7 days from claim.
    const admin = await phonePage(browser);
    await open(admin, 'marketing-wang', 'pages/card/index');
    await admin.locator('#staff-entry').first().click();
    await on(admin, '#staff-goto-templates').click();
    await on(admin, '#template-new').waitFor({ timeout: 15_000 });
    await on(admin, '#templates-page-empty').waitFor();
    await on(admin, '#template-new').click();
    await on(admin, '#tpl-name').waitFor();

    // Submitting an empty form explains what is missing and creates nothing.
    await on(admin, '#tpl-submit').click();
    await on(admin, '#tpl-error').waitFor();
    expect(await text(admin, '.tpl-form')).toContain('请输入券名称');

    await on(admin, '#tpl-name input').fill('双十二满减券');
    await on(admin, '#tpl-kind-cash_off').click();
    await on(admin, '#tpl-value input').fill('20');
    await on(admin, '#tpl-threshold input').fill('200');
    await on(admin, '#tpl-stock input').fill('100');
    await on(admin, '#tpl-limit input').fill('1');
    await on(admin, '#tpl-valid-days input').fill('7');
    await on(admin, '.tpl-form__preview').waitFor();
    expect(await text(admin, '.tpl-form__preview')).toContain('满200减20');
    await snapshot(admin, '10-admin-new-coupon');
    await on(admin, '#tpl-submit').click();

    await admin.locator('[id^="template-counts-"]').first().waitFor({ timeout: 15_000 });
    const templateId = await idOf(admin, '[id^="template-counts-"]', 'template-counts-');
    expect(templateId).toBeGreaterThan(0);
    expect(await text(admin, `#template-counts-${templateId}`)).toBe('已领 0/100 · 已核销 0');
    await snapshot(admin, '11-admin-templates');

    // A member (joined earlier) finds it in the claim centre from the card and claims it with one tap.
    await api.joinedMember('shopper-fang', '13700001111', POLICY);
    const shopper = await phonePage(browser);
    await open(shopper, 'shopper-fang', 'pages/card/index');
    await on(shopper, '#member-card').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#card-coupons')).toBe('0');
    await on(shopper, '#goto-coupons').click();
    await on(shopper, `#claim-${templateId}`).waitFor();
    expect(await text(shopper, `#claim-entry-${templateId}`)).toContain('满200减20');
    await snapshot(shopper, '12-claim-centre');
    await on(shopper, `#claim-${templateId}`).click();
    // The app asks, at this natural moment, whether coupon messages may be sent (see messages-browser.e2e.ts).
    await answerSubscribeSheet(shopper, '取消');
    // Limit 1: once claimed it moves to 已领取, and 去使用 opens 付款 with it.
    await on(shopper, `#claim-use-${templateId}`).waitFor();
    expect(await text(shopper, `#claim-use-${templateId}`)).toBe('去使用');
    expect(await text(shopper, '#claim-group-claimed')).toBe('已领取');
    await snapshot(shopper, '13-claimed');

    // The wallet lists it as usable; its page shows the code to show at the till.
    await on(shopper, '#goto-wallet').click();
    await shopper.locator('[id^="coupon-"].coupon-ticket').first().waitFor();
    expect(await text(shopper, '#wallet-tab-usable')).toContain('1');
    const couponId = await idOf(shopper, '[id^="coupon-"].coupon-ticket', 'coupon-');
    expect(await text(shopper, `#coupon-${couponId}`)).toMatch(/有效期至 \d{4}-\d{2}-\d{2} 23:59/);
    await snapshot(shopper, '14-wallet-usable');
    await on(shopper, `#coupon-${couponId}`).click();
    await on(shopper, '#coupon-code-text').waitFor();
    await expect(on(shopper, '#coupon-code-qr').getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml/);
    await expect(on(shopper, '#coupon-code-barcode').getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml/);
    const couponCode = (await text(shopper, '#coupon-code-text')).replace(/\D/g, '');
    expect(couponCode).toMatch(/^\d{6,20}$/);
    await snapshot(shopper, '15-coupon-code');

    // At the till: a ¥150 order is below the threshold; a ¥300 order gets ¥20 off.
    const clerk = await phonePage(browser);
    await open(clerk, 'till-zhao', 'pages/card/index');
    await clerk.locator('#staff-entry').first().click();
    await on(clerk, '#staff-goto-redeem').click();
    expect(await on(clerk, '#staff-goto-templates').count()).toBe(0); // clerks do not manage coupons
    await on(clerk, '#redeem-code-input').waitFor();
    await on(clerk, '#redeem-code-input input').fill(couponCode.replace(/(\d{4})/g, '$1 '));
    await on(clerk, '#redeem-amount-input input').fill('150');
    await on(clerk, '#redeem-preview').click();
    await on(clerk, '#redeem-reason').waitFor();
    expect(await text(clerk, '#redeem-reason')).toContain('门槛');
    expect(await on(clerk, '#redeem-confirm').count()).toBe(0);
    await snapshot(clerk, '16-redeem-below-threshold');

    await on(clerk, '#redeem-amount-input input').fill('300');
    await on(clerk, '#redeem-preview').click();
    await on(clerk, '#redeem-confirm').waitFor();
    expect(await text(clerk, '#redeem-discount')).toBe('-¥20');
    expect(await text(clerk, '#redeem-payable')).toBe('¥280');
    await snapshot(clerk, '17-redeem-preview');
    await readmeShot(clerk, 'redeem-preview');
    await on(clerk, '#redeem-confirm').click();
    await on(clerk, '#redeem-success').waitFor();
    expect(await text(clerk, '#redeem-success')).toContain('核销成功');
    await snapshot(clerk, '18-redeemed');

    // The member's open coupon page notices on its own; the wallet has it under "used".
    await on(shopper, '#coupon-status').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#coupon-status')).toContain('此券已使用');
    await open(shopper, 'shopper-fang', 'pages/wallet/index');
    await on(shopper, '#wallet-tab-used').waitFor();
    await on(shopper, '#wallet-page-empty').waitFor();
    await on(shopper, '#wallet-tab-used').click();
    await on(shopper, `#coupon-${couponId}`).waitFor();
    expect(await text(shopper, `#coupon-${couponId}`)).toContain('已使用');
    await snapshot(shopper, '19-wallet-used');

    // Redeeming the same code again is refused at preview time.
    await on(clerk, '#redeem-next').click();
    await on(clerk, '#redeem-code-input input').fill(couponCode);
    await on(clerk, '#redeem-amount-input input').fill('300');
    await on(clerk, '#redeem-preview').click();
    await clerk.locator('#redeem-reason, #redeem-error').first().waitFor();
    expect(await text(clerk, '#redeem-result, #redeem-error')).toMatch(/已核销|已使用/);

    // The admin sees the counts.
    await admin.reload();
    await on(admin, `#template-counts-${templateId}`).waitFor({ timeout: 15_000 });
    expect(await text(admin, `#template-counts-${templateId}`)).toBe('已领 1/100 · 已核销 1');

    // Pausing stops claims at once; the claim centre says why.
    await on(admin, `#template-toggle-${templateId}`).click();
    await on(admin, `#template-${templateId}.coupon-ticket--muted`).waitFor();
    expect(await text(admin, `#template-toggle-${templateId}`)).toBe('恢复');
    const late = await api.joinedMember('shopper-late', '13700003333', POLICY);
    const centre = await api.call('GET', '/coupons/claim-centre', { token: late.token });
    expect(centre.body.find((entry: { template: { id: number } }) => entry.template.id === templateId)).toMatchObject({
      canClaim: false,
      blockedBy: 'COUPON_TEMPLATE_PAUSED',
    });
    await on(admin, `#template-toggle-${templateId}`).click();
    await on(admin, `#template-${templateId}:not(.coupon-ticket--muted)`).waitFor();
  });

  it('a clerk reverses a redemption (refund) and the coupon returns to the member’s wallet', async () => {
    const adminToken = (await api.login('marketing-wang')).token;
    const clerkToken = (await api.login('till-zhao')).token;
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: adminToken,
      body: {
        name: '无门槛立减',
        terms: {
          kind: 'no_threshold',
          valueFen: 500,
          thresholdFen: 0,
          percentPermille: null,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: true,
        },
        totalStock: 10,
        perMemberLimit: 1,
        validity: { type: 'relative', validDays: 3 },
        claimStartsAt: new Date(Date.now() - 60_000).toISOString(),
        claimEndsAt: new Date(Date.now() + 86_400_000).toISOString(),
        audience: 'all',
      },
    });
    expect(template.status).toBe(201);
    const member = await api.joinedMember('shopper-reverse', '13700002222', POLICY);
    const claimed = await api.call('POST', `/coupons/templates/${template.body.id}/claim`, {
      token: member.token,
      body: { idempotencyKey: 'browser-reverse-1' },
    });
    expect(claimed.status).toBe(200);
    const redeemed = await api.call('POST', '/staff/coupons/redeem', {
      token: clerkToken,
      body: { code: claimed.body.code, orderAmountFen: 300, idempotencyKey: 'browser-reverse-r1' },
    });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ discountFen: 300, payableFen: 0 }); // never below zero

    // At the till the coupon (already redeemed through the API) is refused, with the reason.
    const clerk = await phonePage(browser);
    await open(clerk, 'till-zhao', 'staff/redeem/index');
    await on(clerk, '#redeem-code-input input').fill(claimed.body.code);
    await on(clerk, '#redeem-amount-input input').fill('3');
    await on(clerk, '#redeem-preview').click();
    await on(clerk, '#redeem-reason, #redeem-error').waitFor();
    expect(await text(clerk, '#redeem-result, #redeem-error')).toMatch(/已核销|已使用/);

    // That redemption is reversed (a refund at another till); the coupon is usable again and the page redeems it.
    const reversed = await api.call('POST', `/staff/coupons/redemptions/${redeemed.body.redemptionId}/reverse`, { token: clerkToken });
    expect(reversed.body.restored).toBe(true);
    await on(clerk, '#redeem-amount-input input').fill('30');
    await on(clerk, '#redeem-preview').click();
    await on(clerk, '#redeem-confirm').waitFor();
    expect(await text(clerk, '#redeem-payable')).toBe('¥25');
    await on(clerk, '#redeem-confirm').click();
    await on(clerk, '#redeem-success').waitFor();
    await on(clerk, '#redeem-reverse').click();
    await on(clerk, '#redeem-reverse-confirm').click();
    await on(clerk, '#redeem-reversed').waitFor();
    expect(await text(clerk, '#redeem-reversed')).toContain('已退回顾客券包');
    await snapshot(clerk, '20-redeem-reversed');

    const wallet = await api.call('GET', '/coupons/wallet?tab=usable', { token: member.token });
    expect(wallet.body.coupons.map((c: { id: number }) => c.id)).toEqual([claimed.body.id]);
  });
});
