import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  bonusPermille,
  decodeStorePaymentCode,
  encodeStorePaymentCode,
  formatFen,
  pointsEarned,
  quoteCheckout,
  refundShares,
  type CheckoutOptions,
} from '@member/shared';
import type { Browser, Page } from 'playwright-core';
import { readDefaults } from '../../config/src/load';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, snapshot, README_SHOT_DIR } from '../support/browser';
import { cashOffTemplateBody } from '../support/fixtures';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { invariantsAfterEach } from '../support/invariants';

const POLICY = '2026-11';
const README_DIR = README_SHOT_DIR;
/** The order the journey pays: ¥300 at the flagship store, with the ¥20-off-¥200 coupon and 500 points. */
const ORDER = { storeCode: 'S001', amountFen: 30_000, pointsToBurn: 500 };
/** Enough at the till to hold more points than the order burns, at any tier multiplier. */
const TILL_FEN = 60_000;

const money = (fen: number) => formatFen(fen, { keepCents: true });

/**
 * Paying in the app in the H5 build, in Chromium, against the real server (MariaDB) and the emulator playing
 * WeChat Pay: a member with points and a 满200减20 coupon opens the payment page for ¥300, picks the coupon and
 * 500 points and sees what the server will charge; closes the cashier once (the order waits, holding both),
 * pays; the result page and the card show the points; the coupon is used. A clerk refunds half in the staff
 * pages and the member's points follow. Second journey: cancelling an unpaid order gives the coupon back.
 */
describe('paying with WeChat Pay in the mini-program H5', () => {
  let stack: Stack;
  // Issue 14: every module's invariants on the whole database after each test (test/support/invariants.ts).
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;
  let adminToken: string;
  let clerkToken: string;
  let templateId: number;
  let bigTemplateId: number;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'till-zhou', role: 'clerk', name: '周店员' },
        { user: 'marketing-he', role: 'admin' },
      ],
      pay: {},
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    adminToken = (await api.login('marketing-he')).token;
    clerkToken = (await api.login('till-zhou')).token;
    const template = await api.call('POST', '/admin/coupon-templates', {
      token: adminToken,
      body: cashOffTemplateBody({ name: '会员满减券' }),
    });
    expect(template.status).toBe(201);
    templateId = template.body.id;
    // A coupon the ¥300 order does not reach: offered greyed out, with the reason.
    const big = await api.call('POST', '/admin/coupon-templates', {
      token: adminToken,
      body: cashOffTemplateBody({
        name: '大额满减券',
        terms: {
          kind: 'cash_off',
          valueFen: 5000,
          thresholdFen: 50000,
          percentPermille: null,
          capFen: null,
          giftName: null,
          stacksWithMemberDiscount: false,
        },
      }),
    });
    expect(big.status).toBe(201);
    bigTemplateId = big.body.id;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);

  /** A joined member holding the coupon and the points a till purchase earned. */
  async function shopper(user: string, phone: string): Promise<{ token: string; memberId: number; couponId: number; balance: number }> {
    const member = await api.joinedMember(user, phone, POLICY);
    const claimed = await api.call('POST', `/coupons/templates/${templateId}/claim`, {
      token: member.token,
      body: { idempotencyKey: `claim-${user}` },
    });
    expect(claimed.status).toBe(200);
    const code = (await api.call('GET', '/members/me/code', { token: member.token })).body.code;
    const till = await api.call('POST', '/staff/purchases', {
      token: clerkToken,
      body: { memberCode: code, amountFen: TILL_FEN, storeCode: ORDER.storeCode, idempotencyKey: `till-${user}` },
    });
    expect(till.status).toBe(200);
    return { token: member.token, memberId: member.memberId, couponId: claimed.body.id, balance: till.body.member.pointsBalance };
  }

  const balanceOf = async (token: string): Promise<number> => (await api.call('GET', '/members/me/card', { token })).body.pointsBalance;
  const walletIds = async (token: string, tab: 'usable' | 'used'): Promise<number[]> =>
    (await api.call('GET', `/coupons/wallet?tab=${tab}`, { token })).body.coupons.map((c: { id: number }) => c.id);

  /**
   * The screenshots the README shows: the page at rest (no sliding page, no fading toast), whole. Taro's H5
   * page scrolls inside its own container, so the window is made as tall as the page for the picture.
   */
  async function readmeShot(page: Page, name: string): Promise<void> {
    mkdirSync(README_DIR, { recursive: true });
    await page
      .waitForFunction("document.getAnimations().every((animation) => animation.playState !== 'running')", undefined, { timeout: 3000 })
      .catch(() => undefined);
    const viewport = page.viewportSize() ?? { width: 375, height: 812 };
    const height = await page.evaluate<number>(
      "Math.max(0, ...Array.from(document.querySelectorAll('.taro_page.taro_page_show')).map((p) => p.scrollHeight))",
    );
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    await page.screenshot({ path: join(README_DIR, `${name}.png`) });
    await page.setViewportSize(viewport);
  }

  /** Waits until the visible element's whole text is `expected` (the page settles asynchronously). */
  function untilText(page: Page, selector: string, expected: string, timeout = 15_000): Promise<void> {
    const exactly = new RegExp(`^\\s*${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    return page.locator(`${selector} >> visible=true`).filter({ hasText: exactly }).first().waitFor({ timeout });
  }

  /** Taro's H5 modal (the cashier stand-in, the refund confirmation): press the button with this text. */
  async function pressModal(page: Page, label: string): Promise<void> {
    const button = page.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: label });
    await button.waitFor();
    await button.click();
  }

  /** Opens the checkout for ORDER with the coupon and the points chosen; answers what the server offered. */
  async function chooseCouponAndPoints(page: Page, user: string, token: string, couponId: number): Promise<CheckoutOptions> {
    await open(page, user, `pages/pay/index?store=${ORDER.storeCode}&amount=${ORDER.amountFen}`);
    await on(page, `#pay-coupon-${couponId}`).waitFor({ timeout: 15_000 });
    expect(await on(page, '#pay-amount input').inputValue()).toBe(String(ORDER.amountFen / 100));
    expect(await on(page, `#pay-store-${ORDER.storeCode}`).getAttribute('class')).toContain('choice-chips__chip--on');
    await on(page, `#pay-coupon-${couponId}`).click();
    await on(page, '#pay-points-toggle').click();
    await on(page, '#pay-points input').fill(String(ORDER.pointsToBurn));
    const options = (await api.call('GET', `/pay/checkout?amountFen=${ORDER.amountFen}&storeCode=${ORDER.storeCode}`, { token }))
      .body as CheckoutOptions;
    return options;
  }

  it('a member pays ¥300 with a coupon and points, sees the result and the card; a clerk refunds half', async () => {
    const me = await shopper('shopper-qin', '13600001234');
    expect(me.balance).toBeGreaterThanOrEqual(ORDER.pointsToBurn);

    const big = await api.call('POST', `/coupons/templates/${bigTemplateId}/claim`, {
      token: me.token,
      body: { idempotencyKey: 'claim-big-shopper-qin' },
    });
    expect(big.status).toBe(200);

    const member = await phonePage(browser);
    const options = await chooseCouponAndPoints(member, 'shopper-qin', me.token, me.couponId);
    expect(options.coupons.find((c) => c.coupon.id === big.body.id)).toMatchObject({
      applicable: false,
      reasonText: expect.stringContaining('门槛'),
    });
    expect(await on(member, `#pay-coupon-${big.body.id}`).getAttribute('class')).toContain('coupon-ticket--muted');
    expect(await text(member, `#pay-coupon-${big.body.id}`)).toContain(
      options.coupons.find((c) => c.coupon.id === big.body.id)!.reasonText!,
    );
    // What the page must show is what the shared quote (the server's own arithmetic) gives for these choices.
    const offered = options.coupons.find((c) => c.coupon.id === me.couponId);
    expect(offered?.applicable).toBe(true);
    const quote = quoteCheckout({
      amountFen: ORDER.amountFen,
      memberPricePermille: options.memberPricePermille,
      coupon: offered!.coupon.terms,
      pointsToBurn: ORDER.pointsToBurn,
      balance: me.balance,
      burnRule: options.burnRule,
    });
    if (!quote.ok) throw new Error(`the journey's order does not quote: ${quote.code}`);
    expect(money(quote.payableFen)).toBe('¥275.00');

    await untilText(member, '#pay-payable', money(quote.payableFen));
    expect(await text(member, '#pay-gross')).toBe(money(ORDER.amountFen));
    expect(await text(member, '#pay-coupon-discount')).toBe(`-${money(quote.couponDiscountFen)}`);
    expect(await text(member, '#pay-points-discount')).toBe(`-${money(quote.pointsValueFen)}（${ORDER.pointsToBurn} 积分）`);
    expect(await text(member, '#pay-bar-payable')).toBe(money(quote.payableFen));
    expect(await text(member, '#pay-points-max')).toContain(`可用 ${me.balance} 积分`);
    await readmeShot(member, 'pay-checkout');

    // The member closes the cashier: the order stays, holding the coupon and the points.
    await on(member, '#pay-submit').click();
    await pressModal(member, '取消');
    await on(member, '#pay-pending').waitFor();
    expect(await text(member, '#pay-pending')).toContain(`订单待支付 ${money(quote.payableFen)}`);
    expect(await walletIds(me.token, 'usable')).not.toContain(me.couponId);
    expect(await balanceOf(me.token)).toBe(me.balance - ORDER.pointsToBurn);
    await snapshot(member, '40-pay-pending');

    // 继续支付 opens the cashier again for the same order; this time the member pays.
    await on(member, '#pay-resume').click();
    await pressModal(member, '确认支付');
    await on(member, '#pay-result-status').waitFor({ timeout: 20_000 });
    await untilText(member, '#pay-result-status', '支付成功', 30_000);
    const outTradeNo = new URLSearchParams(member.url().split('?').pop()).get('no') ?? '';
    expect(outTradeNo).toMatch(/^P\d{14}[0-9a-f]{12}$/);

    const card = (await api.call('GET', '/members/me/card', { token: me.token })).body;
    const dayOfMonth = new Date(Date.now() + 8 * 3600_000).getUTCDate();
    const points = readDefaults().points as { memberDaysOfMonth: number[]; doublePermille: number };
    const earned = pointsEarned({
      paidFen: quote.payableFen,
      multiplierPermille: card.tier.pointsMultiplierPermille,
      bonusPermille: bonusPermille({
        memberDay: points.memberDaysOfMonth.includes(dayOfMonth),
        birthdayWindow: false,
        doublePermille: points.doublePermille,
      }),
    });
    const balanceAfterPay = me.balance - ORDER.pointsToBurn + earned;
    expect(card.pointsBalance).toBe(balanceAfterPay);
    expect(await text(member, '#pay-result-paid')).toBe(money(quote.payableFen));
    expect(await text(member, '#pay-result-points')).toBe(`+${earned}`);
    expect(await text(member, '#pay-result-balance')).toBe(String(balanceAfterPay));
    const discounts = (await text(member, '#pay-result-discounts')).replace(/\s+/g, '');
    expect(discounts).toBe(
      `优惠券·会员满减券-${money(quote.couponDiscountFen)}积分抵扣·${ORDER.pointsToBurn}积分-${money(quote.pointsValueFen)}`,
    );
    await readmeShot(member, 'pay-result');

    // Back to the card (a fresh load): the new balance; the coupon is under "used" in the wallet.
    await on(member, '#pay-result-card').click();
    await on(member, '#card-pay').waitFor({ timeout: 15_000 });
    await untilText(member, '#card-points', String(balanceAfterPay));
    await open(member, 'shopper-qin', 'pages/wallet/index?tab=used');
    await on(member, `#coupon-${me.couponId}`).waitFor({ timeout: 15_000 });
    expect(await text(member, `#coupon-${me.couponId}`)).toContain('已使用');

    // The till's payment code encodes the store and the amount the member's 扫码付款 fills in.
    const clerk = await phonePage(browser);
    await open(clerk, 'till-zhou', 'staff/home/index');
    await on(clerk, '#staff-goto-paycode').click();
    await on(clerk, '#paycode-amount input').waitFor({ timeout: 15_000 });
    await on(clerk, '#paycode-store-S002').click();
    await on(clerk, '#paycode-amount input').fill('88.8');
    await untilText(clerk, '#paycode-text', encodeStorePaymentCode({ storeCode: 'S002', amountFen: 8880 }));
    expect(decodeStorePaymentCode(await text(clerk, '#paycode-text'))).toEqual({ storeCode: 'S002', amountFen: 8880 });
    await expect(on(clerk, '#paycode-qr').getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml/);
    await snapshot(clerk, '43-staff-paycode');

    // The clerk finds the order in the staff pages and refunds half of it.
    await open(clerk, 'till-zhou', 'staff/home/index');
    await on(clerk, '#staff-goto-pay-orders').click();
    await on(clerk, `#pay-order-${outTradeNo}`).waitFor({ timeout: 15_000 });
    expect(await text(clerk, `#pay-order-${outTradeNo}`)).toContain(money(quote.payableFen));
    expect(await text(clerk, `#pay-order-${outTradeNo}`)).toContain('已支付');
    await snapshot(clerk, '41-staff-pay-orders');
    await on(clerk, `#pay-order-${outTradeNo}`).click();
    await on(clerk, '#refund-half').waitFor({ timeout: 15_000 });
    expect(await text(clerk, '#pay-order-payable')).toBe(money(quote.payableFen));
    expect(await text(clerk, '#pay-order-refunded')).toBe(money(0));

    const half = Math.floor(quote.payableFen / 2);
    expect(money(half)).toBe('¥137.50');
    await on(clerk, '#refund-half').click();
    expect(await on(clerk, '#refund-amount input').inputValue()).toBe((half / 100).toFixed(2));
    await on(clerk, '#refund-submit').click();
    await pressModal(clerk, '确认退款');
    // WeChat confirms the refund by notification a moment later; the page follows it.
    await untilText(clerk, '#pay-order-refunded', money(half), 20_000);
    const refunds = await clerk.locator('[id^="refund-"].refund-row >> visible=true').allTextContents();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toContain('已退款');
    expect(await text(clerk, '#pay-order-status')).toBe('部分退款');
    expect(await text(clerk, '#pay-order-refundable')).toBe(money(quote.payableFen - half));
    await snapshot(clerk, '42-staff-refunded');

    // The member's points follow the refund's share: earned points taken back, burned points given back.
    const shares = refundShares({
      paidFen: quote.payableFen,
      earnedPoints: earned,
      burnedPoints: ORDER.pointsToBurn,
      refundedBeforeFen: 0,
      refundFen: half,
    });
    const balanceAfterRefund = balanceAfterPay - shares.clawbackPoints + shares.restorePoints;
    expect(await text(clerk, `#pay-order-refunds`)).toContain(`扣回 ${shares.clawbackPoints} 积分`);
    expect(await balanceOf(me.token)).toBe(balanceAfterRefund);
    await open(member, 'shopper-qin', 'pages/card/index');
    await untilText(member, '#card-points', String(balanceAfterRefund));
  });

  it('closing the cashier keeps the order payable; 取消订单 gives the coupon and points back and the form works again', async () => {
    const me = await shopper('shopper-lu', '13600005678');
    const member = await phonePage(browser);
    await chooseCouponAndPoints(member, 'shopper-lu', me.token, me.couponId);
    await member.locator('#pay-payable >> visible=true').filter({ hasText: /¥\d/ }).first().waitFor({ timeout: 15_000 });

    await on(member, '#pay-submit').click();
    await pressModal(member, '取消');
    await on(member, '#pay-pending').waitFor();
    await on(member, '#pay-resume').waitFor();
    expect(await walletIds(me.token, 'usable')).not.toContain(me.couponId);
    const listed = (await api.call('GET', '/staff/pay/orders?status=pending', { token: clerkToken })).body.orders as Array<{
      outTradeNo: string;
      memberId: number;
    }>;
    const pending = listed.find((o) => o.memberId === me.memberId);
    expect(pending).toMatchObject({ status: 'pending', couponId: me.couponId, pointsBurned: ORDER.pointsToBurn });
    if (!pending) return;

    // 取消订单 asks first (the order holds the coupon and points): the dialog's 取消订单 confirms.
    await on(member, '#pay-cancel-order').click();
    await on(member, '#cancel-order-dialog').waitFor();
    await on(member, '.nut-dialog-footer-ok').click();
    await on(member, '#pay-pending').waitFor({ state: 'detached' });
    expect(await walletIds(me.token, 'usable')).toContain(me.couponId);
    expect(await balanceOf(me.token)).toBe(me.balance);
    const closed = (await api.call('GET', `/staff/pay/orders/${pending.outTradeNo}`, { token: clerkToken })).body;
    expect(closed.status).toBe('closed');

    // The same choices again make a new order (a new checkout, a new key), and it can be paid.
    await on(member, '#pay-submit:not([disabled])').waitFor({ timeout: 15_000 });
    await on(member, '#pay-submit').click();
    await pressModal(member, '确认支付');
    await untilText(member, '#pay-result-status', '支付成功', 30_000);
    const paidNo = new URLSearchParams(member.url().split('?').pop()).get('no');
    expect(paidNo).not.toBe(pending.outTradeNo);
    expect(await walletIds(me.token, 'used')).toContain(me.couponId);
  });
});
