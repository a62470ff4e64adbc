/// <reference lib="dom" /> // page.waitForFunction callbacks run in the browser
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, snapshot } from '../support/browser';
import { REPO_ROOT, startProcess, type RunningProcess } from '../support/processes';

/**
 * The seeded demo as a newcomer first opens it, in Chromium against `npm start`: the store manager's staff pages
 * (客户分层 with RFM segments, 营销活动 and the finished campaign's report, 支付订单, 优惠券管理) and their own
 * card (points history, wallet) are not empty. Screenshots: test/e2e/screenshots/demo-*.png.
 */
describe('the seeded demo in the browser (H5)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mp-demo-browser-'));
  let demo: { process: RunningProcess; match: RegExpMatchArray } | undefined;
  let browser: Browser;
  let serverUrl = '';
  const { open, on, text } = h5(() => serverUrl);

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'miniprogram', 'dist', 'h5', 'index.html'))) throw new Error('build the H5 first: npm run build');
    demo = await startProcess(process.execPath, ['--import', 'tsx', 'test/scripts/start.ts'], {
      ready: /^\s+(http:\/\/127\.0\.0\.1:\d+)\/\s*$/,
      label: 'npm start',
      timeoutMs: 120_000,
      env: {
        DEMO_DATA_DIR: dataDir,
        PORT: '0',
        WECHAT_EMULATOR_PORT: '0',
        WECHAT_APPID: 'wx0000000000demo01',
        DATABASE_URL: '',
        STAFF: '',
        SQLITE_PATH: '',
      },
    });
    serverUrl = demo.match[1];
    browser = await launchChromium();
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.process.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const visible = (page: Page, selector: string) => on(page, selector).waitFor({ timeout: 15_000 });

  it('客户分层 shows the seeded members by RFM segment', async () => {
    const page = await phonePage(browser);
    // The last refresh comes from its own request: held back, the page says it is reading it, not 首次使用.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/admin/segments', async (route) => {
      await released;
      await route.continue();
    });
    await open(page, 'clerk', 'staff/audience/index');
    await visible(page, '#audience-size');
    await page.waitForFunction(() => Number(document.querySelector('#audience-size')?.textContent?.replace(/\D/g, '')) >= 40);
    expect(await text(page, '#audience-rfm-summary')).toBe('正在读取上次分层…');
    release();
    await page.waitForFunction(() => !document.querySelector('#audience-rfm-summary')?.textContent?.includes('正在读取'));
    expect(await text(page, '#audience-rfm-summary')).toMatch(/上次分层共 \d+ 位会员，其中 \d+ 位近12个月有消费$/);
    expect(await text(page, '#audience-segment-high_value')).toMatch(/^高价值 [1-9]\d*$/);
    expect(await text(page, '#audience-segment-dormant')).toMatch(/^沉睡 [1-9]\d*$/);
    expect(await text(page, '#audience-segment-unranked')).toBe('待分层 0');
    await snapshot(page, 'demo-audience');
    await page.context().close();
  });

  it('营销活动 lists the finished campaign and its report shows targeted, sent and redeemed', async () => {
    const api = new TestApi(serverUrl, /(http:\/\/127\.0\.0\.1:\d+)\/dev\/inbox/.exec(demo!.process.output())![1], 'wx0000000000demo01');
    const manager = (await api.login('clerk')).token;
    const list = await api.call('GET', '/admin/campaigns', { token: manager });
    const seeded = list.body.campaigns.find((c: { name: string }) => c.name === '两周未到店 · 回归礼');
    const page = await phonePage(browser);
    await open(page, 'clerk', 'staff/campaigns/index');
    await visible(page, `#campaign-${seeded.id}`);
    await snapshot(page, 'demo-campaigns');
    await open(page, 'clerk', `staff/campaign/index?id=${seeded.id}`);
    await page.getByText('已核销').first().waitFor({ timeout: 15_000 });
    await snapshot(page, 'demo-campaign-report');
    await page.context().close();
  });

  it('支付订单, 优惠券管理 and the manager’s own points and wallet are not empty', async () => {
    const page = await phonePage(browser);
    await open(page, 'clerk', 'staff/pay-orders/index');
    await page.getByText('已支付').first().waitFor({ timeout: 15_000 });
    await snapshot(page, 'demo-pay-orders');
    await open(page, 'clerk', 'staff/templates/index');
    await page.getByText('回归礼券').first().waitFor({ timeout: 15_000 });
    await snapshot(page, 'demo-templates');
    await open(page, 'clerk', 'pages/points/index');
    await page.getByText('消费').first().waitFor({ timeout: 15_000 });
    await snapshot(page, 'demo-manager-points');
    await open(page, 'clerk', 'pages/card/index');
    await page.waitForTimeout(1500);
    await snapshot(page, 'demo-manager-card');
    await page.context().close();
  });
});
