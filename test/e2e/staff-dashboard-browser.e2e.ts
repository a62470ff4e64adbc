/// <reference lib="dom" /> // page callbacks run in the browser
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { h5, launchChromium, phonePage, readmeShot } from '../support/browser';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';
const DAY_MS = 86_400_000;

/**
 * Issue 18, the staff mini-program's compact dashboard (数据看板) at 390×844: purchases on four days, the daily
 * snapshots backfilled, and the store manager's dashboard shows its store's KPI tiles and three F2 trend charts
 * drawn on canvas; HQ sees the chain with the playbook targets. Clerks have no such entry.
 */
describe('the staff dashboard shows KPI tiles and charts from the snapshots', () => {
  let stack: Stack;
  let browser: Browser;
  let api: TestApi;
  const { open, on, text } = h5(() => stack.serverUrl);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'dash-hq', role: 'admin', name: '总部小张' },
        { user: 'dash-lin', role: 'store_manager', name: '林店长', stores: ['S001'] },
        { user: 'dash-clerk', role: 'clerk', name: '周店员', stores: ['S001'] },
      ],
    });
    browser = await launchChromium();
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);

    // Sales on the last four business days, then the snapshots of the week (HQ's backfill, as after a deploy).
    const now = Date.parse((await api.call('GET', '/test/clock')).body.now as string);
    // The shoppers joined last month (a cohort before the snapshot days' month, like a real chain's members).
    await api.call('POST', '/test/clock', { body: { now: new Date(now - 40 * DAY_MS).toISOString() } });
    const shoppers = ['dash-shopper-1', 'dash-shopper-2', 'dash-shopper-3'];
    for (const [i, user] of shoppers.entries()) await api.joinedMember(user, `1390000700${i}`, POLICY);
    let n = 0;
    for (const [daysAgo, buyers] of [
      [3, 1],
      [2, 2],
      [1, 2],
      [0, 3],
    ]) {
      await api.call('POST', '/test/clock', { body: { now: new Date(now - daysAgo * DAY_MS).toISOString() } });
      const clerk = (await api.login('dash-clerk')).token;
      for (const user of shoppers.slice(0, buyers)) {
        const { token } = await api.login(user);
        const code = (await api.call('GET', '/members/me/code', { token })).body.code as string;
        const body = { memberCode: code, amountFen: 8_800 + 1_000 * (++n % 5), storeCode: 'S001', idempotencyKey: `dash-sale-${n}` };
        const sale = await api.call('POST', '/staff/purchases', { token: clerk, body });
        if (sale.status !== 200) throw new Error(`sale: ${sale.status} ${JSON.stringify(sale.body)}`);
      }
    }
    await api.call('POST', '/test/clock', { body: { now: new Date(now).toISOString() } });
    const hq = (await api.login('dash-hq')).token;
    const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
    const backfill = await api.call('POST', '/staff/metrics/backfill', { token: hq, body: { from: day(now - 6 * DAY_MS), to: day(now) } });
    if (backfill.status !== 200) throw new Error(`backfill: ${backfill.status} ${JSON.stringify(backfill.body)}`);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Whether the canvas inside `selector` has anything drawn on it (F2 draws axes, labels and the geometry). */
  const drawn = (page: Page, selector: string) =>
    page.waitForFunction(
      (css) => {
        const canvas = document.querySelector<HTMLCanvasElement>(`${css} canvas, canvas${css}`);
        if (!canvas || canvas.width === 0) return false;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return painted > 500;
      },
      selector,
      { timeout: 15_000 },
    );

  it('a store manager opens 数据看板 from the staff home: their store’s tiles and three charts', async () => {
    const phone = await phonePage(browser);
    await open(phone, 'dash-lin', 'staff/home/index');
    await on(phone, '#staff-goto-dashboard').click();
    await on(phone, '#dash-kpis').waitFor({ timeout: 30_000 });
    expect(await text(phone, '#dash-store')).toBe('悦享旗舰店');
    // Eight sales of ¥88 + ¥10 × (n mod 5): ¥864 over the week, all at S001.
    expect(await text(phone, '#dash-kpi-member_sales')).toBe('会员销售额¥864');
    expect(await text(phone, '#dash-kpi-member_purchases')).toBe('会员消费笔数8');
    // A manager sees their store's figures only: the chain-wide ones (new members, redemption rate) are not tiles.
    expect(await phone.locator('#dash-kpi-members_new').count()).toBe(0);
    for (const chart of ['#dash-chart-sales', '#dash-chart-purchases', '#dash-chart-third']) await drawn(phone, chart);
    // The page slides in from the right (Taro's router): the picture once it has arrived.
    await phone.waitForFunction(
      () => [...document.querySelectorAll('.dash')].some((page) => Math.abs(page.getBoundingClientRect().x) < 1),
      undefined,
      { timeout: 5000 },
    );
    await readmeShot(phone, 'staff-dashboard');

    // 近30天: the same sales, a longer range.
    await on(phone, '#dash-period-30').click();
    await phone.waitForFunction(() => /至/.test(document.querySelector('#dash-range')?.textContent ?? ''));
    await on(phone, '#dash-kpis').waitFor();
  });

  it('HQ sees the chain with the playbook targets; a clerk has no dashboard', async () => {
    const phone = await phonePage(browser);
    await open(phone, 'dash-hq', 'staff/dashboard/index');
    await on(phone, '#dash-kpis').waitFor({ timeout: 30_000 });
    expect(await text(phone, '#dash-store')).toContain('全部门店');
    expect(await text(phone, '#dash-kpi-points_redemption_rate')).toMatch(/^积分核销率[\d.]+%目标 ≥ 30\.0% · (已达成|未达成)$/);
    await drawn(phone, '#dash-chart-third');

    const clerk = await phonePage(browser);
    await open(clerk, 'dash-clerk', 'staff/home/index');
    await on(clerk, '#staff-goto-redeem').waitFor({ timeout: 30_000 });
    expect(await clerk.locator('#staff-goto-dashboard').count()).toBe(0);
    const { token } = await api.login('dash-clerk');
    expect((await api.call('GET', '/staff/metrics/dashboard?from=2026-12-01&to=2026-12-07', { token })).status).toBe(403);
  });
});
