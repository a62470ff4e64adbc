import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatFen } from '@member/shared';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, readmeShot, snapshot as saveSnapshot } from '../support/browser';
import { cashOffTemplateBody } from '../support/fixtures';
import { invariantsAfterEach } from '../support/invariants';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';
const money = (fen: number) => formatFen(fen, { keepCents: true });
const cashOff = (name: string, valueFen: number, thresholdFen: number) =>
  cashOffTemplateBody({
    name,
    terms: {
      kind: 'cash_off',
      valueFen,
      thresholdFen,
      percentPermille: null,
      capFen: null,
      giftName: null,
      stacksWithMemberDiscount: false,
    },
  });

/**
 * Issue 16's orders journey in the H5 build at 390×844, against the real server (MariaDB) and the emulator playing
 * WeChat Pay: the pay page preselects the best coupon; an order left unpaid holds its coupon (已锁定 in the wallet),
 * survives a reload (首页's banner, 我的订单) and is paid from 我的订单; 去使用 opens the pay page with that coupon; an
 * order cancelled from the banner (confirmed) gives its coupon back; 我的订单 lists app and till orders with a refund.
 */
describe('我的订单, unpaid orders and held coupons in the mini-program H5', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;
  let clerkToken: string;
  const templates: Record<'twenty' | 'fifty' | 'ten', number> = { twenty: 0, fifty: 0, ten: 0 };

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'till-wu', role: 'clerk', name: '吴店员' },
        { user: 'marketing-fang', role: 'admin' },
      ],
      pay: {},
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    const adminToken = (await api.login('marketing-fang')).token;
    clerkToken = (await api.login('till-wu')).token;
    for (const [key, body] of [
      ['twenty', cashOff('满200减20', 2000, 20000)],
      ['fifty', cashOff('满300减50', 5000, 30000)],
      ['ten', cashOff('满100减10', 1000, 10000)],
    ] as const) {
      const created = await api.call('POST', '/admin/coupon-templates', { token: adminToken, body });
      expect(created.status).toBe(201);
      templates[key] = created.body.id;
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const { open, on, text } = h5(() => stack.serverUrl);

  const phone = (): Promise<Page> => phonePage(browser);

  /** Pages slide in and sheets rise after a tick: wait for them to start (and end) before the picture. */
  async function snapshot(page: Page, name: string): Promise<void> {
    await page.waitForTimeout(600);
    await saveSnapshot(page, name);
  }

  async function pressModal(page: Page, label: string): Promise<void> {
    const button = page.locator('.taro__modal .taro-model__btn >> visible=true').filter({ hasText: label });
    await button.waitFor();
    await button.click();
  }

  const wallet = async (token: string, tab: 'usable' | 'held' | 'used'): Promise<number[]> =>
    (await api.call('GET', `/coupons/wallet?tab=${tab}`, { token })).body.coupons.map((c: { id: number }) => c.id);
  const pendingOrder = async (token: string) => (await api.call('GET', '/pay/orders/pending', { token })).body.order;

  it('preselects the best coupon, holds it while unpaid (已锁定), resumes from 我的订单 after a reload, and cancels from the banner', async () => {
    const me = await api.joinedMember('shopper-tang', '13700001111', POLICY);
    const coupons: Record<string, number> = {};
    for (const key of ['twenty', 'fifty', 'ten'] as const) {
      const claimed = await api.call('POST', `/coupons/templates/${templates[key]}/claim`, {
        token: me.token,
        body: { idempotencyKey: `claim-${key}` },
      });
      expect(claimed.status).toBe(200);
      coupons[key] = claimed.body.id;
    }
    // A purchase at the till, partly refunded: 我的订单 shows it beside the app orders.
    const memberCode = (await api.call('GET', '/members/me/code', { token: me.token })).body.code;
    const till = await api.call('POST', '/staff/purchases', {
      token: clerkToken,
      body: { memberCode, amountFen: 8800, storeCode: 'S001', idempotencyKey: 'till-tang' },
    });
    expect(till.status).toBe(200);
    const refund = await api.call('POST', `/staff/purchases/${till.body.id}/refunds`, {
      token: clerkToken,
      body: { amountFen: 3000, refundNo: 'R-tang-1' },
    });
    expect(refund.status).toBe(200);

    // ¥300: 满300减50 takes most off, so it is the one applied on arrival.
    const page = await phone();
    await open(page, 'shopper-tang', 'pages/pay/index?store=S001&amount=30000');
    await page.locator(`.pay-coupon--on #pay-coupon-${coupons.fifty} >> visible=true`).waitFor({ timeout: 15_000 });
    await page
      .locator('#pay-coupon-discount >> visible=true')
      .filter({ hasText: `-${money(5000)}` })
      .waitFor();
    expect(await text(page, '#pay-gross')).toBe(money(30000));
    expect(await text(page, '#pay-summary')).toContain('订单金额');
    expect(await text(page, '#pay-payable')).toBe(money(25000));
    await snapshot(page, '60-orders-pay-preselected');

    // The cashier is closed: the order waits, holding the coupon.
    await on(page, '#pay-submit').click();
    await pressModal(page, '取消');
    await on(page, '#pay-pending').waitFor();
    const unpaid = await pendingOrder(me.token);
    expect(unpaid).toMatchObject({ status: 'pending', couponId: coupons.fifty, payableFen: 25000 });
    expect(await wallet(me.token, 'held')).toEqual([coupons.fifty]);

    // 券包: the held coupon is 已锁定 (never 已使用 with a use time), and so is its page.
    await open(page, 'shopper-tang', 'pages/wallet/index?tab=held');
    await on(page, `#coupon-${coupons.fifty}`).waitFor({ timeout: 15_000 });
    expect(await text(page, `#coupon-${coupons.fifty}`)).toContain('已锁定');
    expect(await text(page, `#coupon-${coupons.fifty}`)).not.toContain('使用时间');
    expect(await text(page, '#wallet-tab-held')).toContain('1');
    await snapshot(page, '61-orders-wallet-held');
    await readmeShot(page, 'wallet-held');
    await on(page, `#coupon-${coupons.fifty}`).click();
    await on(page, '#coupon-status').waitFor({ timeout: 15_000 });
    expect(await text(page, '#coupon-status')).toContain('此券已锁定');
    await snapshot(page, '62-orders-coupon-held');

    // A reload (a fresh page load): 首页 shows the unpaid order, read from the server.
    await open(page, 'shopper-tang', 'pages/card/index');
    await on(page, '#pending-order-banner').waitFor({ timeout: 15_000 });
    expect(await text(page, '#pending-order-amount')).toBe(money(25000));
    await snapshot(page, '63-orders-home-banner');

    // 我的订单: the unpaid app order first, the refunded till purchase below it.
    await open(page, 'shopper-tang', 'pages/orders/index');
    const appRef = `A${unpaid.outTradeNo}`;
    await on(page, `#order-${appRef}`).waitFor({ timeout: 15_000 });
    expect(await text(page, `#order-${appRef}-status`)).toBe('待支付');
    expect(await text(page, `#order-S${till.body.id}-status`)).toBe('部分退款');
    expect(await text(page, `#order-S${till.body.id}-refund`)).toBe(`已退款 ${money(3000)}`);
    expect(await text(page, `#order-S${till.body.id}`)).toContain('门店消费');
    const ids = await page.locator('[id^="order-"].order-card >> visible=true').evaluateAll((cards) => cards.map((c) => c.id));
    expect(ids).toEqual([`order-${appRef}`, `order-S${till.body.id}`]);
    await snapshot(page, '64-orders-list-unpaid');

    // The till purchase in detail: the receipt and its refund.
    await on(page, `#order-S${till.body.id}`).click();
    await on(page, '#order-detail').waitFor();
    expect(await text(page, '#order-detail-gross')).toBe(money(8800));
    expect(await text(page, '#order-detail-refunds')).toContain(money(3000));
    await snapshot(page, '65-orders-detail-till');
    await page.locator('.nut-popup-title-right >> visible=true').first().click();
    await on(page, '#order-detail').waitFor({ state: 'hidden' });

    // 去支付 from 我的订单: the same order, paid this time.
    await on(page, `#order-${appRef}-pay`).click();
    await pressModal(page, '确认支付');
    await page.locator('#pay-result-status >> visible=true').filter({ hasText: '支付成功' }).waitFor({ timeout: 30_000 });
    expect(await wallet(me.token, 'used')).toContain(coupons.fifty);
    expect(await pendingOrder(me.token)).toBeNull();

    // 去使用 on 满100减10 opens 付款 with it applied, though 满200减20 would take more.
    await open(page, 'shopper-tang', 'pages/wallet/index');
    await on(page, `#coupon-${coupons.ten}-use`).click();
    await on(page, '#pay-amount input').waitFor({ timeout: 15_000 });
    await on(page, '#pay-amount input').fill('300');
    await page.locator(`.pay-coupon--on #pay-coupon-${coupons.ten} >> visible=true`).waitFor({ timeout: 15_000 });
    await page
      .locator('#pay-payable >> visible=true')
      .filter({ hasText: money(29000) })
      .waitFor();
    await on(page, '#pay-submit').click();
    await pressModal(page, '取消');
    await on(page, '#pay-pending').waitFor();
    expect(await wallet(me.token, 'held')).toEqual([coupons.ten]);

    // Cancelled from 首页's banner, after confirming: the coupon is usable again and the banner is gone.
    await open(page, 'shopper-tang', 'pages/card/index');
    await on(page, '#pending-order-banner').waitFor({ timeout: 15_000 });
    expect(await text(page, '#pending-order-amount')).toBe(money(29000));
    await on(page, '#pending-order-cancel').click();
    await on(page, '#cancel-order-dialog').waitFor();
    await snapshot(page, '66-orders-cancel-dialog');
    await on(page, '.nut-dialog-footer-ok').click();
    await on(page, '#pending-order-banner').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await wallet(me.token, 'usable')).toEqual(expect.arrayContaining([coupons.ten, coupons.twenty]));
    expect(await wallet(me.token, 'held')).toEqual([]);

    // 我的订单 now: the cancelled order, the paid one, the till purchase, newest first.
    await open(page, 'shopper-tang', 'pages/orders/index');
    await on(page, `#order-${appRef}`).waitFor({ timeout: 15_000 });
    const statuses = await page.locator('.order-card__status >> visible=true').allTextContents();
    expect(statuses.map((s) => s.trim())).toEqual(['已取消', '已完成', '部分退款']);
    expect(await text(page, `#order-${appRef}-paid`)).toBe(money(25000));
    await snapshot(page, '67-orders-list');
    await readmeShot(page, 'my-orders');
    await on(page, `#order-${appRef}`).click();
    await on(page, '#order-detail').waitFor();
    expect(await text(page, '#order-detail')).toContain('满300减50');
    await snapshot(page, '68-orders-detail-app');
  });
});
