import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, snapshot } from '../support/browser';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';

/**
 * The birthday perk in the H5 build: marketing's birthday coupon template is configured (template 1 of a fresh
 * database), a member with a March birthday exists; the server's test clock moves to 1 March 00:10 Shanghai,
 * the daily birthday job runs, and the coupon is in the member's wallet; purchases that month earn double.
 * The test clock and the on-demand job exist only because the server runs in test mode.
 */
describe('the birthday perk in the mini-program H5', () => {
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
        { user: 'marketing-zhou', role: 'admin' },
        { user: 'till-wu', role: 'clerk' },
      ],
      env: { BIRTHDAY_COUPON_TEMPLATE_ID: '1' },
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);

  it('moves the clock to the birthday month: the job puts the birthday coupon in the wallet and doubles points, once', async () => {
    const admin = (await api.login('marketing-zhou')).token;
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: admin,
      body: {
        name: '生日礼券',
        terms: {
          kind: 'no_threshold',
          valueFen: 3000,
          thresholdFen: 0,
          percentPermille: null,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: true,
        },
        totalStock: 1000,
        perMemberLimit: 1,
        validity: { type: 'relative', validDays: 31 },
        // Not claimable in the claim centre: only the birthday job gives it out.
        claimStartsAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
        claimEndsAt: new Date(Date.now() - 86_400_000).toISOString(),
        audience: 'all',
      },
    });
    expect([template.status, template.body.id]).toEqual([201, 1]);

    const member = await api.joinedMember('shopper-march', '13600003333', POLICY);
    expect((await api.call('PUT', '/members/me/birthday', { token: member.token, body: { birthday: '1995-03-15' } })).status).toBe(200);

    const moved = await api.call('POST', '/test/clock', { body: { now: '2027-03-01T00:10:00+08:00' } });
    expect(moved.body.now).toMatch(/^2027-02-28T16:10/);
    const run = await api.call('POST', '/test/jobs/birthday', {});
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ runOn: '2027-03-01', perksGranted: 1, couponsIssued: 1 });
    expect((await api.call('POST', '/test/jobs/birthday', {})).body).toMatchObject({ perksGranted: 0, couponsIssued: 0 }); // once a year

    const shopper = await phonePage(browser);
    await open(shopper, 'shopper-march', 'pages/wallet/index');
    await on(shopper, '[id^="coupon-"].coupon-ticket').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '[id^="coupon-"].coupon-ticket')).toContain('生日礼券');
    expect(await text(shopper, '[id^="coupon-"].coupon-ticket')).toContain('有效期至 2027-03-31 23:59');
    await snapshot(shopper, '27-birthday-coupon');
    await open(shopper, 'shopper-march', 'pages/card/index');
    await on(shopper, '#card-double-points').waitFor({ timeout: 15_000 });
    expect(await text(shopper, '#card-double-points')).toBe('生日礼遇：消费双倍积分，至 2027-03-31');
    await snapshot(shopper, '28-card-double-points');

    // Double points in the birthday month: ¥100 earns 200.
    const fresh = await api.login('shopper-march');
    const code = (await api.call('GET', '/members/me/code', { token: fresh.token })).body.code;
    const clerk = (await api.login('till-wu')).token;
    const purchase = await api.call('POST', '/staff/purchases', {
      token: clerk,
      body: { memberCode: code, amountFen: 10_000, storeCode: 'S001', idempotencyKey: 'birthday-buy-1' },
    });
    expect(purchase.body).toMatchObject({ pointsEarned: 200, bonusPermille: 2000 });
  });
});
