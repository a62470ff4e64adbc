/// <reference lib="dom" /> // page callbacks run in the browser
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { DashboardResponse } from '@member/shared';
import { TestApi } from '../support/api-client';
import { launchChromium, readmeShot, snapshot } from '../support/browser';
import { consolePage } from '../support/console';
import { REPO_ROOT } from '../support/processes';
import { startStack, type Stack } from '../support/stack';

/** Today and yesterday in the business calendar (Asia/Shanghai, UTC+8 all year). */
const shanghaiDay = (offset = 0) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Issue 18, the console's 数据看板 at 1440×900: members join in the app and buy at two stores' tills, HQ
 * snapshots yesterday and today (the backfill endpoint), and the dashboard shows the KPI tiles (the targets
 * coloured met or not), the trend charts (ECharts canvases) and, for HQ, the reports; HQ narrows it to one
 * store; a store manager sees their store only; a clerk and another store are refused by the API.
 */
describe('the console dashboard', () => {
  let stack: Stack;
  let browser: Browser;
  let api: TestApi;
  let admin = '';
  let dashboard: DashboardResponse;

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      // The console alone (no H5 build needed): the stack serves it with the H5 app otherwise.
      env: { CONSOLE_STATIC_DIR: join(REPO_ROOT, 'server', 'console', 'dist') },
      staff: [
        { user: 'hq-wang', role: 'admin', name: '王总' },
        { user: 'lin', role: 'store_manager', name: '林店长', stores: ['S001'] },
        { user: 'zhou', role: 'clerk', name: '周店员', stores: ['S001'] },
        { user: 'wu', role: 'clerk', name: '吴店员', stores: ['S002'] },
      ],
    });
    browser = await launchChromium();
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    admin = (await api.login('hq-wang')).token;
    const clerks = { S001: (await api.login('zhou')).token, S002: (await api.login('wu')).token };
    let key = 0;
    // The last sale pays ¥3 with 300 of the points the first two earned: spent ÷ issued clears the 30 % target.
    const sales: Array<[number, 'S001' | 'S002', number, number?]> = [
      [0, 'S001', 32_000],
      [0, 'S001', 8_800],
      [1, 'S002', 15_600],
      [2, 'S001', 4_500],
      [0, 'S002', 10_000, 300],
    ];
    const members = [];
    for (let i = 0; i < 3; i++) members.push(await api.joinedMember(`dash-member-${i}`, `1390000100${i}`, '2026-11'));
    for (const [who, store, amountFen, pointsToBurn] of sales) {
      const code = (await api.call('GET', '/members/me/code', { token: members[who].token })).body.code as string;
      const answer = await api.call('POST', '/staff/purchases', {
        token: clerks[store],
        body: { memberCode: code, amountFen, storeCode: store, pointsToBurn, idempotencyKey: `dash-sale-${++key}` },
      });
      if (answer.status !== 200) throw new Error(`sale: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    // The RFM refresh first, so today's snapshot records this month's segments (the migration heat map).
    const refreshed = await api.call('POST', '/admin/segments/refresh', { token: admin });
    if (refreshed.status !== 200) throw new Error(`refresh: ${refreshed.status} ${JSON.stringify(refreshed.body)}`);
    const backfill = await api.call('POST', '/staff/metrics/backfill', {
      token: admin,
      body: { from: shanghaiDay(-1), to: shanghaiDay() },
    });
    if (backfill.status !== 200) throw new Error(`backfill: ${backfill.status} ${JSON.stringify(backfill.body)}`);
    dashboard = (
      await api.call<DashboardResponse>('GET', `/staff/metrics/dashboard?from=${shanghaiDay(-29)}&to=${shanghaiDay()}`, { token: admin })
    ).body;
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('refuses clerks, and a store manager another store', async () => {
    const range = `from=${shanghaiDay(-6)}&to=${shanghaiDay()}`;
    const clerk = await api.call('GET', `/staff/metrics/dashboard?${range}`, { token: (await api.login('zhou')).token });
    expect([clerk.status, clerk.body.code]).toEqual([403, 'FORBIDDEN']);
    const manager = (await api.login('lin')).token;
    const other = await api.call('GET', `/staff/metrics/dashboard?${range}&store=S002`, { token: manager });
    expect([other.status, other.body.code]).toEqual([403, 'STORE_NOT_YOURS']);
    const own = await api.call<DashboardResponse>('GET', `/staff/metrics/dashboard?${range}`, { token: manager });
    expect(own.status).toBe(200);
    expect(own.body.store).toBe('S001');
    expect(own.body.kpis.find((k) => k.key === 'member_sales')?.value).toBe(32_000 + 8_800 + 4_500);
    const bad = await api.call('GET', '/staff/metrics/dashboard?from=2026-12-01&to=2026-11-01', { token: admin });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('HQ sees the chain’s tiles against their targets, the trends and the reports, then one store', async () => {
    expect(dashboard.kpis.find((k) => k.key === 'member_sales')?.value).toBe(32_000 + 8_800 + 15_600 + 4_500 + 9_700);
    const page = await consolePage(browser, stack, 'hq-wang', 'dashboard');
    await page.locator('#dashboard-kpis [data-kpi="member_sales"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#dashboard-kpis [data-kpi="member_sales"]').innerText()).toContain('¥706.00');
    expect(await page.locator('#dashboard-kpis [data-kpi="members_new"]').innerText()).toContain('3');
    // A target tile says met or not, in its colour: the redemption rate is what the tiles say it is.
    const rate = dashboard.kpis.find((k) => k.key === 'points_redemption_rate')!;
    const tile = page.locator('#dashboard-kpis [data-kpi="points_redemption_rate"]');
    expect(await tile.getAttribute('data-met')).toBe(String(rate.met));
    expect(rate.met).toBe(true);
    expect(await tile.innerText()).toContain('达标');
    expect(await tile.innerText()).not.toContain('未达标');
    expect(await tile.innerText()).toContain('目标 ≥ 30.0%');
    // The trends are drawn (ECharts canvases with pixels).
    for (const id of ['chart-sales', 'chart-members', 'chart-points', 'chart-rates'])
      await page.locator(`#${id} canvas`).first().waitFor({ timeout: 10_000 });
    const drawn = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#chart-sales canvas')!;
      return canvas.width > 0 && canvas.height > 0;
    });
    expect(drawn).toBe(true);
    await page.getByRole('tab', { name: '活动 ROI' }).waitFor({ timeout: 10_000 });
    // HQ's reports: who the members are, and how they moved between segments (all new to the snapshot).
    await page.locator('#chart-tiers canvas').first().waitFor({ timeout: 10_000 });
    await page.getByRole('tab', { name: '客群迁移' }).click();
    await page.locator('#chart-migration canvas').first().waitFor({ timeout: 10_000 });
    await page.locator('#chart-migration').scrollIntoViewIfNeeded();
    await snapshot(page, 'console-dashboard-migration');
    await page.getByRole('tab', { name: '会员构成' }).click();
    await page.waitForTimeout(600); // the charts' entry animation, before the picture
    // The picture is the top of the page, where a manager looks first: the tiles and their targets, the trends.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('#dashboard-kpis').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await readmeShot(page, 'console-dashboard');

    // One store: the chain-only tiles and the reports go, S001's sales stay.
    await page.locator('#dashboard-store').click();
    await page.locator('.ant-select-item-option', { hasText: 'S001' }).click();
    await page.waitForFunction(() => !document.querySelector('[data-kpi="members_total"]'), undefined, { timeout: 10_000 });
    expect(await page.locator('[data-kpi="member_sales"]').innerText()).toContain('¥453.00');
    expect(await page.getByRole('tab', { name: '活动 ROI' }).count()).toBe(0);
    await snapshot(page, 'console-dashboard-store');

    // A period without snapshots says so.
    await page.locator('#dashboard-period').getByText('自定义').click();
    await page.locator('#dashboard-from').fill('2025-01-01');
    await page.locator('#dashboard-to').fill('2025-01-31');
    await page.getByText('该时段暂无统计数据').waitFor({ timeout: 10_000 });
    await page.context().close();
  });

  it('a store manager opens the dashboard on their store', async () => {
    const page = await consolePage(browser, stack, 'lin', 'dashboard');
    await page.locator('#dashboard-kpis [data-kpi="member_sales"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#dashboard-store').evaluate((el) => el.closest('.ant-select')?.textContent ?? '')).toContain('S001');
    expect(await page.locator('[data-kpi="member_sales"]').innerText()).toContain('¥453.00');
    expect(await page.locator('[data-kpi="members_total"]').count()).toBe(0);
    await snapshot(page, 'console-dashboard-manager');
    await page.context().close();
  });
});
