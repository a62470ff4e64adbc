/// <reference lib="dom" /> // page callbacks run in the browser
import type { Browser, Page } from 'playwright-core';
import { TestApi } from '../support/api-client';
import { launchChromium, readmeShot, snapshot } from '../support/browser';
import { consolePage } from '../support/console';
import { invariantsAfterEach } from '../support/invariants';
import { startStack, type Stack } from '../support/stack';

const POLICY = '2026-11';

/**
 * Issue 18, the console's 投诉与反馈 and 操作日志 at 1440×900 against the real server (MariaDB) and the emulator:
 * a clerk logs a till complaint, a member raises one online; HQ sees the overdue till case first, opens the
 * online one, replies, and resolves it with goodwill points; the service report draws its charts. The audit log
 * shows those actions with the staff member's name and filters them by action, member and day; a store manager
 * sees only their store's cases and entries; a clerk may not read the log.
 */
describe('the console: service queue and audit log', () => {
  let stack: Stack;
  invariantsAfterEach(() => stack);
  let browser: Browser;
  let api: TestApi;
  let tillCaseId: number;
  let onlineCaseId: number;
  let complainer: { token: string; memberId: number };
  /** The server's clock at the end of the setup: 45 minutes ahead of the browser's. */
  let serverNow: number;
  const key = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const clock = async (at: number) =>
    expect((await api.call('POST', '/test/clock', { body: { now: new Date(at).toISOString() } })).status).toBe(200);

  beforeAll(async () => {
    stack = await startStack({
      database: 'mariadb',
      serveH5: true,
      staff: [
        { user: 'sv-hq', role: 'admin', name: '总部客服' },
        { user: 'sv-lin', role: 'store_manager', name: '林店长', stores: ['S001'] },
        { user: 'sv-till', role: 'clerk', name: '周店员', stores: ['S001'] },
      ],
    });
    api = new TestApi(stack.serverUrl, stack.emulatorUrl, stack.appid);
    browser = await launchChromium();

    // Now (never earlier: the console's session is checked against the browser's real clock).
    const start = Date.now();
    await clock(start);
    const regular = await api.joinedMember('sv-regular', '13600001111', POLICY);
    const clerk = (await api.login('sv-till')).token;
    const code = (await api.call('GET', '/members/me/code', { token: regular.token })).body.code as string;
    const ticket = (await api.call('POST', '/staff/member-code/verify', { token: clerk, body: { code } })).body.tillTicket as string;
    const till = await api.call('POST', '/staff/feedback', {
      token: clerk,
      body: { kind: 'complaint', category: 'quality', text: '鲜奶临期仍在售卖', tillTicket: ticket, idempotencyKey: key('till') },
    });
    expect(till.status).toBe(200);
    tillCaseId = till.body.id;

    await clock(start + 10 * 60_000);
    complainer = await api.joinedMember('sv-lin-member', '13600002222', POLICY);
    const online = await api.call('POST', '/feedback', {
      token: complainer.token,
      body: { kind: 'complaint', category: 'service', text: '收银台排队二十分钟，还多收了一袋的钱。', idempotencyKey: key('online') },
    });
    expect(online.status).toBe(200);
    onlineCaseId = online.body.id;
    // Past the online case's deadline (30 minutes), not yet the till case's (an hour).
    serverNow = start + 45 * 60_000;
    await clock(serverNow);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const choose = async (page: Page, selector: string, option: string) => {
    await page.locator(selector).click();
    await page.keyboard.type(option);
    await page.locator('.ant-select-dropdown .ant-select-item-option >> visible=true').filter({ hasText: option }).first().click();
  };
  const settled = (page: Page) =>
    page.waitForFunction(() => document.querySelectorAll('.ant-message-notice').length === 0, undefined, { timeout: 10_000 });
  const chartOf = async (page: Page, id: string) => {
    await page.locator(`#${id} canvas`).first().waitFor({ timeout: 15_000 });
    return page.evaluate((chartId) => {
      const element = document.getElementById(chartId)!;
      const canvas = element.querySelector('canvas')!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = false;
      for (let i = 3; i < pixels.length && !drawn; i += 4) drawn = pixels[i] !== 0;
      return { drawn, series: Number(element.dataset.seriesCount), legend: (element.dataset.legend ?? '').split('|') };
    }, id);
  };
  const rowIds = (page: Page, table: string) =>
    page.locator(`${table} tbody tr[id]`).evaluateAll((rows) => rows.map((row) => (row as HTMLElement).id));

  it('HQ works the queue overdue first, replies and resolves with goodwill, and reads the report as charts', async () => {
    const page = await consolePage(browser, stack, 'sv-hq', 'service');
    await page.locator('#service-queue-open').waitFor({ timeout: 20_000 });
    expect(await rowIds(page, '#service-queue-open')).toEqual([`service-case-${onlineCaseId}`, `service-case-${tillCaseId}`]);
    expect(await page.locator(`#service-status-${onlineCaseId}`).innerText()).toBe('已超时');
    expect(await page.locator(`#service-status-${tillCaseId}`).innerText()).toBe('待回复');
    await snapshot(page, 'console-service-queue');

    await page.locator(`#service-case-${onlineCaseId}`).click();
    await page.locator('#service-reply').waitFor({ timeout: 15_000 });
    // Resolving needs what was done: said in Chinese before anything is sent.
    await page.locator('#service-resolve').click();
    await page.locator('#service-case-error').filter({ hasText: '请填写处理结果' }).waitFor({ timeout: 10_000 });
    await page.locator('#service-reply').fill('非常抱歉，多收的款项已核实，将原路退回。');
    await page.locator('#service-reply-send').click();
    await page.locator('#service-case-messages').filter({ hasText: '原路退回' }).waitFor({ timeout: 15_000 });
    await page.locator('#service-resolution').fill('已退回多收款项，并对当班收银员进行服务培训。');
    await page.locator('#service-goodwill').getByText('积分').click();
    await page.locator('#service-goodwill-points').fill('100');
    await page.locator('#service-goodwill-reason').fill('收银多收款，服务补偿');
    await page.locator('#service-resolve').click();
    await page.locator('#service-case-status').filter({ hasText: '已解决' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#service-case-resolution').innerText()).toContain('服务培训');
    const card = await api.call('GET', '/members/me/card', { token: complainer.token });
    expect(card.body.pointsBalance).toBe(100);

    await page.locator('#service-back').click();
    await page.locator('#service-tab-report').click();
    // The report's range ends on the browser's today. The server's clock runs 45 minutes ahead, so late in the
    // Shanghai evening the cases fall on the browser's tomorrow: end the range on the server's day, as a manager would.
    const serverDay = new Date(serverNow + 8 * 3_600_000).toISOString().slice(0, 10);
    await page.locator('#service-report-to').fill(serverDay);
    await page.locator('#service-report-kpis').waitFor({ timeout: 15_000 });
    // The first answer may be for the browser's range: wait for the one that counts both cases (else say what it shows).
    await page
      .waitForFunction(
        () => (document.querySelector('#service-report-kpis') as HTMLElement | null)?.innerText.includes('反馈总数\n2'),
        undefined,
        {
          timeout: 15_000,
        },
      )
      .catch(() => undefined);
    const kpis = await page.locator('#service-report-kpis').innerText();
    expect(kpis).toContain('反馈总数\n2');
    expect(kpis).toContain('¥1.00'); // 100 points at ¥0.01
    expect(await chartOf(page, 'chart-service-category')).toMatchObject({ drawn: true, series: 1 });
    expect(await chartOf(page, 'chart-service-store')).toMatchObject({ drawn: true, series: 1 });
    expect(await chartOf(page, 'chart-service-progress')).toEqual({ drawn: true, series: 1, legend: ['已解决', '已回复未解决', '未回复'] });
    await settled(page);
    await snapshot(page, 'console-service-report');
    await readmeShot(page, 'console-service');
  });

  it('the audit log names who did what and filters by action, member and day; a manager sees their store; a clerk none', async () => {
    const page = await consolePage(browser, stack, 'sv-hq', 'audit');
    await page.locator('#audit-table').waitFor({ timeout: 20_000 });
    await choose(page, '#audit-filter-action', 'feedback.resolve');
    await page.locator('#audit-filter-apply').click();
    // The page keeps the last rows while the filtered ones load: until only the filtered one is left.
    await page.waitForFunction(() => document.querySelectorAll('#audit-table tbody tr[id]').length === 1, undefined, { timeout: 15_000 });
    const resolved = await page.locator('#audit-table tbody').innerText();
    expect(await page.locator('#audit-table tbody tr[id]').count()).toBe(1);
    expect(resolved).toContain('总部客服');
    expect(resolved).toContain(`#${complainer.memberId}`);
    expect(resolved).toContain('成功');

    // Everything done about that member's case: viewed, replied, resolved.
    await page.locator('#audit-filter-reset').click();
    await page.locator('#audit-filter-member').fill(String(complainer.memberId));
    await page.locator('#audit-filter-apply').click();
    await page.waitForFunction(
      (member) => {
        const rows = [...document.querySelectorAll('#audit-table tbody tr[id]')];
        return rows.length >= 3 && rows.every((row) => row.textContent?.includes(member));
      },
      `#${complainer.memberId}`,
      { timeout: 15_000 },
    );
    const actions = await page.locator('#audit-table tbody').innerText();
    for (const action of ['查看反馈', '回复反馈', '处理完成']) expect(actions).toContain(action);
    await settled(page);
    await snapshot(page, 'console-audit-member');
    await readmeShot(page, 'console-audit');

    // A day range that ends before anything happened: the empty state.
    await page.locator('#audit-filter-from').fill('2020-01-01');
    await page.locator('#audit-filter-to').fill('2020-01-02');
    await page.locator('#audit-filter-apply').click();
    await page.getByText('没有符合条件的操作记录').waitFor({ timeout: 15_000 });
    // A range the wrong way round is refused before asking.
    await page.locator('#audit-filter-from').fill('2020-01-03');
    await page.getByText('结束日期不能早于开始日期').waitFor({ timeout: 5000 });
    expect(await page.locator('#audit-filter-apply').isDisabled()).toBe(true);

    // The store manager: S001's entries only (the till case), not HQ's work on the online case.
    const manager = await consolePage(browser, stack, 'sv-lin', 'audit');
    await manager.locator('#audit-table').waitFor({ timeout: 20_000 });
    const stores = await manager
      .locator('#audit-table tbody tr[id] td:nth-child(3)')
      .evaluateAll((cells) => cells.map((cell) => cell.textContent));
    expect(stores.length).toBeGreaterThan(0);
    expect(new Set(stores)).toEqual(new Set(['S001']));
    const lin = (await api.login('sv-lin')).token;
    expect((await api.call('GET', '/staff/audit-log?storeCode=S002', { token: lin })).body.code).toBe('STORE_NOT_YOURS');
    const clerk = (await api.login('sv-till')).token;
    expect((await api.call('GET', '/staff/audit-log', { token: clerk })).body.code).toBe('FORBIDDEN');
    expect((await api.call('GET', '/staff/audit-log?from=2026-12-02&to=2026-12-01', { token: lin })).body.code).toBe('VALIDATION_FAILED');

    // Its queue: the S001 till case, not the online case.
    await manager.goto(`${stack.serverUrl}/console/#/service`);
    await manager.locator('#service-queue-open').waitFor({ timeout: 20_000 });
    expect(await rowIds(manager, '#service-queue-open')).toEqual([`service-case-${tillCaseId}`]);
    expect(await manager.locator('#menu-audit').count()).toBe(1);
  });
});
